{{/*
What the operator may do: exactly what its reconcilers and their dependents use (RbacTest in
helm/src/test derives the same list from the operator's classes and fails on any difference).
*/}}

{{/* Rules on namespaced resources: in a ClusterRole, or in a Role per watched namespace. */}}
{{- define "spectrum.namespacedRules" -}}
# The operator's own resources, as java-operator-sdk uses them: informers, the finalizer's patch,
# status patches, and update of finalizers (the owner references on the objects it makes block
# the owner's deletion). Never created or deleted by the operator.
- apiGroups: ["spectrum.dev"]
  resources: ["spectrums", "funnels", "experiments"]
  verbs: ["get", "list", "watch", "patch"]
- apiGroups: ["spectrum.dev"]
  resources: ["spectrums/status", "funnels/status", "experiments/status"]
  verbs: ["patch"]
- apiGroups: ["spectrum.dev"]
  resources: ["spectrums/finalizers", "funnels/finalizers", "experiments/finalizers"]
  verbs: ["update"]
# What the Spectrum workflow's dependents own (informers watch them by label), the definitions'
# SQL ConfigMaps and refresh CronJobs, and the Secrets it reads by name (operator: OperatorPermissions).
- apiGroups: [""]
  resources: ["secrets", "configmaps", "services"]
  verbs: ["get", "list", "watch", "create", "patch", "update", "delete"]
- apiGroups: ["apps"]
  resources: ["deployments", "statefulsets"]
  verbs: ["get", "list", "watch", "create", "patch", "update", "delete"]
- apiGroups: ["autoscaling"]
  resources: ["horizontalpodautoscalers"]
  verbs: ["get", "list", "watch", "create", "patch", "update", "delete"]
- apiGroups: ["batch"]
  resources: ["cronjobs"]
  verbs: ["get", "list", "watch", "create", "patch", "update", "delete"]
# A CloudNativePG Cluster (retained with the data: never deleted by the operator).
- apiGroups: ["postgresql.cnpg.io"]
  resources: ["clusters"]
  verbs: ["get", "list", "watch", "create", "patch", "update"]
# Kubernetes Events on the resources.
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create"]
{{- end }}

{{/* Rules on cluster-scoped resources: always in a ClusterRole. */}}
{{- define "spectrum.clusterRules" -}}
# At start the operator checks that the CRDs it serves are installed.
- apiGroups: ["apiextensions.k8s.io"]
  resources: ["customresourcedefinitions"]
  verbs: ["get", "list"]
{{- end }}
