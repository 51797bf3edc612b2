{{/*
One Herald service: its ConfigMap (non-secret properties as environment variables), Deployment,
Service, PodDisruptionBudget and, where asked, HorizontalPodAutoscaler. Called by each service's
template with
  root: $, component: values key (edge …),
  config: dict of environment variable → value (goes into the ConfigMap),
  env: YAML list of env entries from Secrets,
  envFrom: YAML list of envFrom entries from Secrets,
  volumes / volumeMounts: YAML lists (optional),
  gracePeriod: seconds, checksum: a string that changes when a Secret's content does.
*/}}
{{- define "herald.service" -}}
{{- $root := .root -}}
{{- $v := index $root.Values .component -}}
{{- $name := include "herald.componentName" . -}}
{{- $port := include "herald.componentPort" . -}}
{{- $sel := dict "root" $root "component" .component -}}
{{- $config := merge (dict) .config -}}
{{- if $root.Values.logging.format -}}
{{- $_ := set $config "LOGGING_STRUCTURED_FORMAT_CONSOLE" $root.Values.logging.format -}}
{{- end -}}
{{- $_ := set $config "SERVER_PORT" (toString $port) -}}
{{- range $property, $value := $v.config -}}
{{- $_ := set $config (include "herald.envName" $property) (toString $value) -}}
{{- end -}}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ $name }}
  labels:
    {{- include "herald.componentLabels" $sel | nindent 4 }}
data:
  {{- range $key, $value := $config }}
  {{ $key }}: {{ $value | quote }}
  {{- end }}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ $name }}
  labels:
    {{- include "herald.componentLabels" $sel | nindent 4 }}
spec:
  {{- if not (and $v.autoscaling $v.autoscaling.enabled) }}
  replicas: {{ $v.replicas }}
  {{- end }}
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      {{- include "herald.selectorLabels" $sel | nindent 6 }}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      # A new pod is ready (warmed) before an old one leaves.
      maxSurge: 1
      maxUnavailable: 0
  template:
    metadata:
      labels:
        {{- include "herald.selectorLabels" $sel | nindent 8 }}
        {{- with $root.Values.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      annotations:
        checksum/config: {{ toYaml $config | sha256sum }}
        checksum/secrets: {{ .checksum | sha256sum }}
        {{- with (merge (dict) ($v.podAnnotations | default dict) $root.Values.podAnnotations) }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      {{- with $root.Values.image.pullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      # The pods need no Kubernetes API.
      automountServiceAccountToken: false
      terminationGracePeriodSeconds: {{ .gracePeriod }}
      securityContext:
        {{- toYaml $root.Values.podSecurityContext | nindent 8 }}
      {{- with (default $root.Values.nodeSelector $v.nodeSelector) }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with (default $root.Values.tolerations $v.tolerations) }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with (default $root.Values.affinity $v.affinity) }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- if $root.Values.topologySpread.enabled }}
      topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: {{ $root.Values.topologySpread.topologyKey }}
          whenUnsatisfiable: ScheduleAnyway
          labelSelector:
            matchLabels:
              {{- include "herald.selectorLabels" $sel | nindent 14 }}
      {{- end }}
      containers:
        - name: {{ (index (include "herald.components" $root | fromYaml) .component).name }}
          image: {{ include "herald.image" $sel | quote }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          ports:
            - name: http
              containerPort: {{ $port }}
              protocol: TCP
          envFrom:
            - configMapRef:
                name: {{ $name }}
            {{- with .envFrom }}
            {{- . | nindent 12 }}
            {{- end }}
          env:
            - name: JAVA_TOOL_OPTIONS
              value: {{ $v.jvmOptions | quote }}
            {{- with .env }}
            {{- . | nindent 12 }}
            {{- end }}
            {{- with $v.extraEnv }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
          resources:
            {{- toYaml $v.resources | nindent 12 }}
          securityContext:
            {{- toYaml $root.Values.containerSecurityContext | nindent 12 }}
          {{- with $root.Values.probes }}
          startupProbe:
            httpGet: { path: {{ .startup.path }}, port: http }
            periodSeconds: {{ .startup.periodSeconds }}
            timeoutSeconds: {{ .startup.timeoutSeconds }}
            failureThreshold: {{ .startup.failureThreshold }}
          readinessProbe:
            httpGet: { path: {{ .readiness.path }}, port: http }
            periodSeconds: {{ .readiness.periodSeconds }}
            timeoutSeconds: {{ .readiness.timeoutSeconds }}
            failureThreshold: {{ .readiness.failureThreshold }}
          livenessProbe:
            httpGet: { path: {{ .liveness.path }}, port: http }
            periodSeconds: {{ .liveness.periodSeconds }}
            timeoutSeconds: {{ .liveness.timeoutSeconds }}
            failureThreshold: {{ .liveness.failureThreshold }}
          {{- end }}
          lifecycle:
            preStop:
              # Keep serving while endpoints, the gateway and the ingress let go of this pod; SIGTERM
              # (and with it the drain) comes after.
              {{- if $root.Values.preStopSleepAction }}
              sleep:
                seconds: {{ $v.preStopSleepSeconds }}
              {{- else }}
              exec:
                command: ["sh", "-c", "sleep {{ $v.preStopSleepSeconds }}"]
              {{- end }}
          volumeMounts:
            # A read-only root: the JVM's and Netty's temporary files go here.
            - name: tmp
              mountPath: /tmp
            {{- with .volumeMounts }}
            {{- . | nindent 12 }}
            {{- end }}
      volumes:
        - name: tmp
          emptyDir: {}
        {{- with .volumes }}
        {{- . | nindent 8 }}
        {{- end }}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ $name }}
  labels:
    {{- include "herald.componentLabels" $sel | nindent 4 }}
    # Scraped by the ServiceMonitor (/actuator/prometheus on this port).
    herald.io/metrics: "true"
  {{- with (and $v.service $v.service.annotations) }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  type: {{ (and $v.service $v.service.type) | default "ClusterIP" }}
  selector:
    {{- include "herald.selectorLabels" $sel | nindent 4 }}
  ports:
    - name: http
      port: {{ $port }}
      targetPort: http
      protocol: TCP
{{- if $v.pdb.enabled }}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ $name }}
  labels:
    {{- include "herald.componentLabels" $sel | nindent 4 }}
spec:
  {{- if hasKey $v.pdb "minAvailable" }}
  minAvailable: {{ $v.pdb.minAvailable }}
  {{- else }}
  maxUnavailable: {{ $v.pdb.maxUnavailable }}
  {{- end }}
  selector:
    matchLabels:
      {{- include "herald.selectorLabels" $sel | nindent 6 }}
{{- end }}
{{- if and $v.autoscaling $v.autoscaling.enabled }}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ $name }}
  labels:
    {{- include "herald.componentLabels" $sel | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ $name }}
  minReplicas: {{ $v.autoscaling.minReplicas }}
  maxReplicas: {{ $v.autoscaling.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ $v.autoscaling.targetCPUUtilizationPercentage }}
    {{- if $v.autoscaling.targetMemoryUtilizationPercentage }}
    - type: Resource
      resource:
        name: memory
        target:
          type: Utilization
          averageUtilization: {{ $v.autoscaling.targetMemoryUtilizationPercentage }}
    {{- end }}
  {{- with $v.autoscaling.behavior }}
  behavior:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}
{{- end -}}
