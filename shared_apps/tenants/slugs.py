"""What a business may call its subdomain, and the schema name that follows from it."""

from __future__ import annotations

import re

SLUG_MIN_LENGTH = 3
SLUG_MAX_LENGTH = 40

# A DNS label: lowercase letters, digits and inner hyphens.
_SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")

# Names we keep for the platform itself or that would confuse customers and mail servers.
RESERVED_SLUGS = frozenset(
    {
        "about", "account", "accounts", "admin", "administrator", "api", "app", "apps", "assets",
        "auth", "billing", "blog", "cdn", "console", "dashboard", "demo", "dev", "docs", "duka",
        "email", "ftp", "help", "imap", "info", "internal", "login", "logout", "mail", "media",
        "mx", "ns1", "ns2", "pop", "pop3", "postmaster", "public", "root", "security", "signup",
        "smtp", "staging", "static", "status", "support", "system", "template", "test", "webmail",
        "www", "www1", "www2",
    }
)  # fmt: skip


class SlugProblem(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def check_slug_shape(slug: str, *, allow_reserved: bool = False) -> None:
    """Raises ``SlugProblem`` when the slug cannot be a business's subdomain."""
    if not SLUG_MIN_LENGTH <= len(slug) <= SLUG_MAX_LENGTH:
        raise SlugProblem(
            "slug_length",
            f"Use between {SLUG_MIN_LENGTH} and {SLUG_MAX_LENGTH} characters.",
        )
    if slug != slug.lower():
        raise SlugProblem("slug_case", "Use lowercase letters only.")
    if "--" in slug[2:4]:
        # "xn--" and friends are punycode markers that browsers would rewrite.
        raise SlugProblem("slug_invalid", "A hyphen may not be the 3rd and 4th character.")
    if not _SLUG_RE.match(slug):
        raise SlugProblem(
            "slug_invalid",
            "Use lowercase letters, digits and hyphens; start and end with a letter or digit.",
        )
    if not allow_reserved and slug in RESERVED_SLUGS:
        raise SlugProblem("slug_reserved", f"“{slug}” is reserved; please choose another name.")


def schema_name_for(slug: str) -> str:
    # Slugs never contain "_", so mapping "-" to "_" cannot make two slugs share a schema;
    # the prefix keeps tenant schemas apart from public, the template and spares.
    return "t_" + slug.replace("-", "_")
