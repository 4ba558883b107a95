{{/* Chart name, overridable. */}}
{{- define "duka.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Release-scoped base name. Component suffixes (-worker-forecasting is the longest) are appended,
so it is kept well under the 63-character limit.
*/}}
{{- define "duka.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" }}
{{- else if contains (include "duka.name" .) .Release.Name }}
{{- .Release.Name | trunc 40 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name (include "duka.name" .) | trunc 40 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "duka.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "duka.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Selector labels; call with (dict "ctx" $ "component" "web"). */}}
{{- define "duka.selectorLabels" -}}
app.kubernetes.io/name: {{ include "duka.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "duka.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end }}

{{/*
The non-secret environment as a flat map. The ConfigMap renders it for the long-running pods;
the migration hook inlines it, because hooks run before the release's ConfigMap exists.
*/}}
{{- define "duka.configData" -}}
PLATFORM_DOMAIN: {{ required "platformDomain is required" .Values.platformDomain | lower | quote }}
DEBUG: "false"
PLATFORM_URL_SCHEME: {{ .Values.config.urlScheme | quote }}
TENANT_SCHEMA_POOL_SIZE: {{ .Values.config.tenantSchemaPoolSize | quote }}
LOG_LEVEL: {{ .Values.config.logLevel | quote }}
TRUSTED_PROXY_COUNT: {{ .Values.config.trustedProxyCount | quote }}
{{- range $key, $value := .Values.config.extra }}
{{ $key }}: {{ $value | quote }}
{{- end }}
{{- end }}

{{- define "duka.secretName" -}}
{{- required "existingSecret must name a Secret holding SECRET_KEY, DATABASE_URL and REDIS_URL" .Values.existingSecret }}
{{- end }}

{{/* envFrom for long-running pods: the chart's ConfigMap plus the external Secret. */}}
{{- define "duka.envFrom" -}}
- configMapRef:
    name: {{ include "duka.fullname" . }}
- secretRef:
    name: {{ include "duka.secretName" . }}
{{- end }}

{{/* Pod-level settings shared by every workload (service account excepted). */}}
{{- define "duka.podSpec" -}}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/*
Writable scratch space under a read-only root filesystem: /tmp for gunicorn's worker files and the
beat schedule, the home directory for gunicorn's control socket.
*/}}
{{- define "duka.scratchVolumes" -}}
- name: tmp
  emptyDir: {}
- name: home
  emptyDir: {}
{{- end }}

{{- define "duka.scratchMounts" -}}
- name: tmp
  mountPath: /tmp
- name: home
  mountPath: /home/duka
{{- end }}

{{/* Pods restart when the plain configuration changes. */}}
{{- define "duka.configChecksum" -}}
checksum/config: {{ include "duka.configData" . | sha256sum }}
{{- end }}
