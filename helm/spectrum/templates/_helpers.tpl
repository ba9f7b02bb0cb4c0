{{/*
Names, labels and images, each from one place.
*/}}

{{/* The chart's name, or nameOverride. */}}
{{- define "spectrum.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The operator's objects' name: fullnameOverride, or <release>-<chart> (just <release> when it already contains the chart's name). */}}
{{- define "spectrum.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- printf "%s-operator" .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s-operator" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* helm.sh/chart: <chart>-<version>. */}}
{{- define "spectrum.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The labels every object of the chart carries (objects add app.kubernetes.io/component). */}}
{{- define "spectrum.labels" -}}
helm.sh/chart: {{ include "spectrum.chart" . }}
app.kubernetes.io/name: {{ include "spectrum.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: spectrum
{{- end }}

{{/* The labels that select the operator's pods (never change them on upgrade: a Deployment's selector is immutable). */}}
{{- define "spectrum.selectorLabels" -}}
app.kubernetes.io/name: {{ include "spectrum.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end }}

{{/* The operator's ServiceAccount. */}}
{{- define "spectrum.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "spectrum.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* An image reference from {repository, tag, digest}: the digest wins over the tag; the tag defaults to the chart's appVersion. */}}
{{- define "spectrum.image" -}}
{{- if .image.digest }}
{{- printf "%s@%s" .image.repository .image.digest }}
{{- else }}
{{- printf "%s:%s" .image.repository (default .context.Chart.AppVersion .image.tag) }}
{{- end }}
{{- end }}

{{/* The namespaces the operator watches, as a list; empty means all. */}}
{{- define "spectrum.watchNamespaces" -}}
{{- join "," .Values.operator.watchNamespaces }}
{{- end }}
