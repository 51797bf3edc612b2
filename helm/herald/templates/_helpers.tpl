{{/* Names ------------------------------------------------------------------------------------ */}}

{{- define "herald.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "herald.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "herald.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
The services: values key, resource suffix, port. One table so that names, ports and the
gateway's backends cannot disagree.
*/}}
{{- define "herald.components" -}}
gateway: { name: gateway, port: 6000 }
edge: { name: edge, port: 6001 }
publish: { name: publish, port: 6002 }
auth: { name: auth, port: 6003 }
rateLimit: { name: rate-limit, port: 6004 }
metrics: { name: metrics, port: 6005 }
{{- end -}}

{{/* (dict "root" $ "component" "edge") → "release-herald-edge" */}}
{{- define "herald.componentName" -}}
{{- $c := index (include "herald.components" .root | fromYaml) .component -}}
{{- printf "%s-%s" (include "herald.fullname" .root) $c.name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "herald.componentPort" -}}
{{- (index (include "herald.components" .root | fromYaml) .component).port -}}
{{- end -}}

{{/* http://release-herald-auth:6003 */}}
{{- define "herald.componentUrl" -}}
{{- printf "http://%s:%v" (include "herald.componentName" .) (include "herald.componentPort" .) -}}
{{- end -}}

{{/* Labels -------------------------------------------------------------------------------------- */}}

{{- define "herald.labels" -}}
helm.sh/chart: {{ include "herald.chart" . }}
app.kubernetes.io/name: {{ include "herald.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: herald
{{- end -}}

{{/* The component label: a service's name (rate-limit, not the values key rateLimit), else as given (redis-…). */}}
{{- define "herald.componentLabel" -}}
{{- $c := index (include "herald.components" .root | fromYaml) .component -}}
{{- if $c -}}{{ $c.name }}{{- else -}}{{ .component }}{{- end -}}
{{- end -}}

{{/* (dict "root" $ "component" "edge") */}}
{{- define "herald.selectorLabels" -}}
app.kubernetes.io/name: {{ include "herald.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ include "herald.componentLabel" . }}
{{- end -}}

{{- define "herald.componentLabels" -}}
{{ include "herald.labels" .root }}
app.kubernetes.io/component: {{ include "herald.componentLabel" . }}
{{- end -}}

{{/* Images ------------------------------------------------------------------------------------- */}}

{{- define "herald.image" -}}
{{- $image := .root.Values.image -}}
{{- $repository := index $image.repositories .component -}}
{{- $tag := default .root.Chart.AppVersion $image.tag -}}
{{- if $image.registry -}}
{{- printf "%s/%s:%s" (trimSuffix "/" $image.registry) $repository $tag -}}
{{- else -}}
{{- printf "%s:%s" $repository $tag -}}
{{- end -}}
{{- end -}}

{{/* Secrets ------------------------------------------------------------------------------------ */}}

{{- define "herald.secretName" -}}
{{- default (include "herald.fullname" .) .Values.secrets.existingSecret -}}
{{- end -}}

{{- define "herald.seedSecretName" -}}
{{- default (printf "%s-seed" (include "herald.fullname" .)) .Values.seed.existingSecret -}}
{{- end -}}

{{- define "herald.redisSecretName" -}}
{{- if and (eq .Values.redis.mode "external") .Values.redis.external.existingSecret -}}
{{- .Values.redis.external.existingSecret -}}
{{- else -}}
{{- printf "%s-redis" (include "herald.fullname" .) -}}
{{- end -}}
{{- end -}}

{{/*
A generated secret value that survives upgrades: the given value, else the one already in the
release's Secret (lookup, with secrets.lookup), else a new random one. Memoised in
.Values so every template of one render sees the same value.
(dict "root" $ "secret" "name" "key" "admin-token" "value" "…")
*/}}
{{- define "herald.generated" -}}
{{- $memo := .root.Values._generated | default dict -}}
{{- $id := printf "%s/%s" .secret .key -}}
{{- if .value -}}
{{- .value -}}
{{- else if hasKey $memo $id -}}
{{- index $memo $id -}}
{{- else -}}
{{- $existing := dict -}}
{{- if .root.Values.secrets.lookup -}}
{{- $existing = lookup "v1" "Secret" .root.Release.Namespace .secret -}}
{{- end -}}
{{- $value := "" -}}
{{- if and $existing $existing.data (hasKey $existing.data .key) -}}
{{- $value = index $existing.data .key | b64dec -}}
{{- else -}}
{{- $value = randAlphaNum 40 -}}
{{- end -}}
{{- $_ := set $memo $id $value -}}
{{- $_ := set .root.Values "_generated" $memo -}}
{{- $value -}}
{{- end -}}
{{- end -}}

{{/* Redis -------------------------------------------------------------------------------------- */}}

{{- define "herald.redisPassword" -}}
{{- if .Values.redis.bundled.auth.enabled -}}
{{- include "herald.generated" (dict "root" . "secret" (printf "%s-redis-auth" (include "herald.fullname" .)) "key" "password" "value" .Values.redis.bundled.auth.password) -}}
{{- end -}}
{{- end -}}

{{/*
The bundled Redis groups: the shards in order, then the state Redis. Each has a StatefulSet, a
headless Service for its pods' names and (without Sentinel) a Service for its primary.
*/}}
{{- define "herald.redisGroups" -}}
{{- $fullname := include "herald.fullname" . -}}
{{- range $i, $_ := until (int .Values.redis.bundled.shards) }}
- { group: {{ printf "shard-%d" $i }}, name: {{ printf "%s-redis-shard-%d" $fullname $i }}, role: shard }
{{- end }}
- { group: state, name: {{ printf "%s-redis-state" $fullname }}, role: state }
{{- end -}}

{{- define "herald.sentinelName" -}}
{{- printf "%s-redis-sentinel" (include "herald.fullname" .) -}}
{{- end -}}

{{/* The sentinels' host:port list, comma-separated. */}}
{{- define "herald.sentinelNodes" -}}
{{- $name := include "herald.sentinelName" . -}}
{{- $nodes := list -}}
{{- range $i, $_ := until (int .Values.redis.bundled.sentinel.sentinels) -}}
{{- $nodes = append $nodes (printf "%s-%d.%s-headless.%s.svc.%s:26379" $name $i $name $.Release.Namespace $.Values.clusterDomain) -}}
{{- end -}}
{{- join "," $nodes -}}
{{- end -}}

{{/*
THE shard list: every edge and publish node reads it from one Secret written from this list, so
they list the same shards in the same order. Rendered as YAML: {shards: [...], state: "..."}.
*/}}
{{- define "herald.redisUris" -}}
{{- $shards := list -}}
{{- $state := "" -}}
{{- if eq .Values.redis.mode "external" -}}
{{- $ext := .Values.redis.external -}}
{{- if $ext.sentinel.nodes -}}
{{- $auth := ternary (printf "%s@" (urlquery $ext.sentinel.password)) "" (not (empty $ext.sentinel.password)) -}}
{{- $nodes := join "," $ext.sentinel.nodes -}}
{{- range $ext.sentinel.shardMasters -}}
{{- $shards = append $shards (printf "redis-sentinel://%s%s/#%s" $auth $nodes .) -}}
{{- end -}}
{{- if $ext.sentinel.stateMaster -}}
{{- $state = printf "redis-sentinel://%s%s/#%s" $auth $nodes $ext.sentinel.stateMaster -}}
{{- else -}}
{{- $state = $ext.state -}}
{{- end -}}
{{- else -}}
{{- $shards = $ext.shards -}}
{{- $state = $ext.state -}}
{{- end -}}
{{- else -}}
{{- $password := include "herald.redisPassword" . -}}
{{- $auth := ternary (printf "%s@" (urlquery $password)) "" (not (empty $password)) -}}
{{- $sentinel := .Values.redis.bundled.sentinel.enabled -}}
{{- $nodes := include "herald.sentinelNodes" . -}}
{{- range (include "herald.redisGroups" . | fromYamlArray) -}}
{{- $uri := "" -}}
{{- if $sentinel -}}
{{- $uri = printf "redis-sentinel://%s%s/#%s" $auth $nodes .group -}}
{{- else -}}
{{- $uri = printf "redis://%s%s:6379" $auth .name -}}
{{- end -}}
{{- if eq .role "state" -}}
{{- $state = $uri -}}
{{- else -}}
{{- $shards = append $shards $uri -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- dict "shards" $shards "state" $state | toYaml -}}
{{- end -}}

{{/* Pods --------------------------------------------------------------------------------------- */}}

{{/* The state Redis for a service that needs only it (auth, rate-limit, metrics). */}}
{{- define "herald.stateEnv" -}}
- name: HERALD_REDIS_STATE
  valueFrom:
    secretKeyRef:
      name: {{ include "herald.redisSecretName" . }}
      key: HERALD_REDIS_STATE
{{- end -}}

{{/* (dict "root" $ "name" "HERALD_AUTH_ADMINTOKEN" "key" "admin-token") */}}
{{- define "herald.tokenEnv" -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ include "herald.secretName" .root }}
      key: {{ .key }}
{{- end -}}

{{/* A Spring property name as its environment variable: herald.edge.max-subscriptions → HERALD_EDGE_MAXSUBSCRIPTIONS, a[0].b → A_0_B. */}}
{{- define "herald.envName" -}}
{{- . | replace "-" "" | replace "[" "_" | replace "]" "" | replace "." "_" | upper -}}
{{- end -}}

{{/*
The seconds an edge needs to leave: preStop sleep, the drain, then in-flight work, the webhook
buffer's flush (herald.webhooks.buffer.flush-timeout, 5 s) and the last usage flush.
*/}}
{{- define "herald.edgeGracePeriod" -}}
{{- if .Values.edge.terminationGracePeriodSeconds -}}
{{- .Values.edge.terminationGracePeriodSeconds -}}
{{- else -}}
{{- add .Values.edge.preStopSleepSeconds .Values.edge.drain.timeoutSeconds .Values.edge.drain.handoverSeconds 15 -}}
{{- end -}}
{{- end -}}

{{/*
The seconds a gateway needs to leave: preStop sleep, the drain of its proxied WebSockets, then
Spring's graceful shutdown of the HTTP requests in flight (its 30 s phase), and 5 s to spare.
*/}}
{{- define "herald.gatewayGracePeriod" -}}
{{- if .Values.gateway.terminationGracePeriodSeconds -}}
{{- .Values.gateway.terminationGracePeriodSeconds -}}
{{- else -}}
{{- add .Values.gateway.preStopSleepSeconds .Values.gateway.drain.timeoutSeconds 35 -}}
{{- end -}}
{{- end -}}

{{/*
How many nodes share each quota while rate-limit-service cannot be reached (herald.ratelimit.nodes,
limit ÷ nodes each): the replicas, or the autoscaler's minimum. Scaled out beyond it, the local
shares add up to more than the limit during such an outage (quotas fail open, docs/quotas.md).
*/}}
{{- define "herald.quotaNodes" -}}
{{- $v := .values -}}
{{- if and $v.autoscaling $v.autoscaling.enabled -}}
{{- $v.autoscaling.minReplicas -}}
{{- else -}}
{{- $v.replicas -}}
{{- end -}}
{{- end -}}

{{/* Changes whenever a Secret the chart writes changes, so the pods roll (annotation checksum/secrets). */}}
{{- define "herald.secretsChecksum" -}}
{{- if not .Values.secrets.existingSecret -}}
{{- include "herald.tokens" . -}}
{{- end -}}
{{- include "herald.redisUris" . -}}
{{- if not .Values.seed.existingSecret -}}
{{- include "herald.seedYaml" . -}}
{{- end -}}
{{- end -}}

{{/* The three tokens as YAML (given, kept from the release's Secret, or generated). */}}
{{- define "herald.tokens" -}}
{{- $secret := include "herald.fullname" . -}}
admin-token: {{ include "herald.generated" (dict "root" . "secret" $secret "key" "admin-token" "value" .Values.secrets.adminToken) }}
internal-token: {{ include "herald.generated" (dict "root" . "secret" $secret "key" "internal-token" "value" .Values.secrets.internalToken) }}
ratelimit-token: {{ include "herald.generated" (dict "root" . "secret" $secret "key" "ratelimit-token" "value" .Values.secrets.ratelimitToken) }}
{{- end -}}

{{- define "herald.seedYaml" -}}
{{- $herald := dict -}}
{{- with .Values.seed.apps }}{{ $_ := set $herald "apps" . }}{{ end -}}
{{- with .Values.seed.tenants }}{{ $_ := set $herald "tenants" . }}{{ end -}}
{{- dict "herald" $herald | toYaml -}}
{{- end -}}

{{/* NetworkPolicy egress rules ------------------------------------------------------------------ */}}

{{- define "herald.np.dns" -}}
- ports:
    - { port: 53, protocol: UDP }
    - { port: 53, protocol: TCP }
  {{- with .Values.networkPolicy.dnsTo }}
  to:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}

{{/* Egress to Redis: (dict "root" $ "roles" (list "shard" "state")) */}}
{{- define "herald.np.redisEgress" -}}
{{- $root := .root -}}
{{- if eq $root.Values.redis.mode "bundled" -}}
- ports: [{ port: 6379, protocol: TCP }]
  to:
    {{- range .roles }}
    - podSelector:
        matchLabels:
          app.kubernetes.io/instance: {{ $root.Release.Name }}
          herald.io/redis: {{ . }}
    {{- end }}
{{- if $root.Values.redis.bundled.sentinel.enabled }}
- ports: [{ port: 26379, protocol: TCP }]
  to:
    - podSelector:
        matchLabels:
          app.kubernetes.io/instance: {{ $root.Release.Name }}
          herald.io/redis: sentinel
{{- end }}
{{- else -}}
- ports:
    {{- range $root.Values.networkPolicy.externalRedis.ports }}
    - { port: {{ . }}, protocol: TCP }
    {{- end }}
  {{- with $root.Values.networkPolicy.externalRedis.to }}
  to:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}
{{- end -}}
