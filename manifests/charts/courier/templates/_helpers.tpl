{{/* Chart name (always "courier": the DaemonSet and RBAC objects are named after it). */}}
{{- define "courier.name" -}}
courier
{{- end }}

{{/* Labels on every object. */}}
{{- define "courier.labels" -}}
app.kubernetes.io/name: {{ include "courier.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end }}

{{/* Labels the DaemonSet selects its pods by (immutable once installed). */}}
{{- define "courier.selectorLabels" -}}
app.kubernetes.io/name: {{ include "courier.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* The image reference: by digest when one is given. */}}
{{- define "courier.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end }}
{{- end }}

{{/*
`courier serve` flags. Each named setting maps to one flag here; extraFlags adds any other flag and wins.
Adding a flag is one line in this dict (or one line under extraFlags in values).
*/}}
{{- define "courier.flags" -}}
{{- $v := .Values -}}
{{- $flags := dict
  "provider-name" $v.providerName
  "socket-dir" "/var/run/secrets-store-csi-providers"
  "grace-period" $v.gracePeriodSeconds
  "log-level" $v.logLevel
  "preload-stores" $v.preloadStores
  "metrics-addr" (ternary (printf "0.0.0.0:%v" $v.metrics.port) "off" $v.metrics.enabled)
  "health-addr" (printf "0.0.0.0:%v" $v.health.port)
  "compat" $v.compat
  "write-files" $v.writeFiles.enabled
  "mirror-secrets" $v.mirrorSecrets.enabled
  "pod-events" (ternary "" "false" $v.podEvents.enabled)
  "allow-provider-identity" $v.allowProviderIdentity
  "cache-ttl" $v.fetch.cacheTtlSeconds
  "cache-max-bytes" $v.fetch.cacheMaxBytes
  "max-concurrent-fetches" $v.fetch.maxConcurrentFetches
  "max-concurrent-fetches-per-identity" $v.fetch.maxConcurrentFetchesPerIdentity
  "negative-cache-ttl" $v.fetch.negativeCacheTtlSeconds
  "max-parameter-bytes" $v.budgets.maxParameterBytes
  "max-objects" $v.budgets.maxObjects
  "max-secret-bytes" $v.budgets.maxSecretBytes
  "max-object-bytes" $v.budgets.maxObjectBytes
  "max-mount-bytes" $v.budgets.maxMountBytes
  "max-jmespath-length" $v.budgets.maxJmesPathLength
  "max-jmespath-cost" $v.budgets.maxJmesPathCost
  "verify-tokens" (ternary "" $v.tokenVerification.mode (eq $v.tokenVerification.mode "off"))
  "token-issuer" $v.tokenVerification.issuer
  "token-jwks-url" $v.tokenVerification.jwksUrl
  "version-key-file" (ternary "/etc/courier/version-key/key" "" (or $v.versionKey.create (ne $v.versionKey.existingSecret "")))
  "mount-timeout" $v.fetch.mountTimeoutSeconds
  "aws-region" $v.stores.aws.region
  "eks-pod-identity-agent-url" $v.stores.aws.podIdentityAgentUrl
  "gcp-workload-identity-pool" $v.stores.gcp.workloadIdentityPool
  "gcp-workload-identity-provider" $v.stores.gcp.workloadIdentityProvider
  "gcp-token-audience" $v.stores.gcp.tokenAudience
  "gcp-project" $v.stores.gcp.project
  "gcp-cluster-location" $v.stores.gcp.clusterLocation
  "gcp-cluster-name" $v.stores.gcp.clusterName
  "gcp-secret-manager-endpoint" $v.stores.gcp.endpoints.secretManager
  "gcp-secret-manager-regional-endpoint" $v.stores.gcp.endpoints.secretManagerRegional
  "gcp-sts-endpoint" $v.stores.gcp.endpoints.sts
  "gcp-iam-credentials-endpoint" $v.stores.gcp.endpoints.iamCredentials
  "vault-addr" $v.stores.vault.address
  "vault-allowed-addrs" $v.stores.vault.allowedAddresses
  "vault-namespace" $v.stores.vault.namespace
  "vault-auth-mount" $v.stores.vault.authMount
  "vault-lease-fraction" $v.stores.vault.leaseFraction
  "vault-ca-cert" $v.stores.vault.tls.caCert
  "vault-ca-dir" $v.stores.vault.tls.caDirectory
  "vault-tls-server-name" $v.stores.vault.tls.serverName
  "vault-client-cert" $v.stores.vault.tls.clientCert
  "vault-client-key" $v.stores.vault.tls.clientKey
  "vault-tls-files-dir" $v.stores.vault.tls.classFilesDirectory
  "vault-allow-skip-tls-verify" $v.stores.vault.tls.allowSkipVerify
  "azure-tenant-id" $v.stores.azure.tenantId
  "azure-authority-host" $v.stores.azure.authorityHost
  "azure-token-audience" $v.stores.azure.tokenAudience
-}}
{{- $flags = merge (deepCopy ($v.extraFlags | default dict)) $flags -}}
{{- range $name := keys $flags | sortAlpha }}
{{- $value := get $flags $name }}
{{- if kindIs "bool" $value }}
{{- if $value }}
- --{{ $name }}
{{- end }}
{{- else if kindIs "slice" $value }}
{{- if $value }}
- {{ printf "--%s=%s" $name (join "," $value) | quote }}
{{- end }}
{{- else if not (or (kindIs "invalid" $value) (eq (toString $value) "")) }}
- {{ printf "--%s=%v" $name $value | quote }}
{{- end }}
{{- end }}
{{- end }}

{{/* A Kubernetes memory quantity (512Mi, 1Gi, 500M, 1073741824) in bytes, for alert thresholds. */}}
{{- define "courier.bytes" -}}
{{- $q := toString . -}}
{{- $units := list (list "Ki" 1024) (list "Mi" 1048576) (list "Gi" 1073741824) (list "Ti" 1099511627776) (list "k" 1000) (list "M" 1000000) (list "G" 1000000000) (list "T" 1000000000000) -}}
{{- $bytes := "" -}}
{{- range $units -}}
{{- if and (eq $bytes "") (hasSuffix (index . 0) $q) (regexMatch "^[0-9]+[A-Za-z]+$" $q) -}}
{{- $bytes = toString (mul (int64 (trimSuffix (index . 0) $q)) (index . 1)) -}}
{{- end -}}
{{- end -}}
{{- if eq $bytes "" -}}
{{- if not (regexMatch "^[0-9]+$" $q) -}}
{{- fail (printf "memory limit %q: use a whole number with Ki, Mi, Gi, Ti, k, M, G or T, or plain bytes" $q) -}}
{{- end -}}
{{- $bytes = $q -}}
{{- end -}}
{{- $bytes -}}
{{- end }}
