// The terminal's IndexedDB: settings and the catalog (store "kv"), sales waiting to be sent
// ("outbox", by client UUID, indexed by the device's sequence) and recent sales ("history").

const NAME = "duka-terminal";
const VERSION = 1;
let opened = null;

export function openDb() {
  if (opened) return opened;
  opened = new Promise((resolve, reject) => {
    const req = indexedDB.open(NAME, VERSION);
    req.onupgradeneeded = () => {
      const db = req.result;
      db.createObjectStore("kv");
      db.createObjectStore("outbox", { keyPath: "uuid" }).createIndex("seq", "seq", { unique: true });
      db.createObjectStore("history", { keyPath: "uuid" }).createIndex("at", "at");
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  return opened;
}

function done(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function store(name, mode = "readonly") {
  const db = await openDb();
  return db.transaction(name, mode).objectStore(name);
}

export async function get(name, key) {
  return done((await store(name)).get(key));
}

export async function put(name, value, key) {
  return done((await store(name, "readwrite")).put(value, key));
}

export async function remove(name, key) {
  return done((await store(name, "readwrite")).delete(key));
}

export async function all(name, index) {
  const source = await store(name);
  return done(index ? source.index(index).getAll() : source.getAll());
}

export async function count(name) {
  return done((await store(name)).count());
}

/** The device's next sale number. One transaction reads and writes it, so two tabs of the
 * same browser never get the same number. */
export async function nextSeq() {
  const db = await openDb();
  return new Promise((resolve, reject) => {
    const tx = db.transaction("kv", "readwrite");
    const kv = tx.objectStore("kv");
    let seq = 0;
    kv.get("seq").onsuccess = (event) => {
      seq = (event.target.result || 0) + 1;
      kv.put(seq, "seq");
    };
    tx.oncomplete = () => resolve(seq);
    tx.onerror = () => reject(tx.error);
  });
}

/** A sale made offline goes in with its number in one transaction: never one without the other. */
export async function queueSale(record) {
  const db = await openDb();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(["outbox", "history"], "readwrite");
    tx.objectStore("outbox").put(record);
    tx.objectStore("history").put(record.history);
    tx.oncomplete = () => resolve(record);
    tx.onerror = () => reject(tx.error);
  });
}
