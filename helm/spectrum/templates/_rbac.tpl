{{/*
What the operator may do: exactly what its reconcilers and their dependents use (RbacTest in
helm/src/test derives the same list from the operator's classes and fails on any difference).
*/}}

{{/* Rules on namespaced resources: in a ClusterRole, or in a Role per watched namespace. */}}
{{- define "spectrum.namespacedRules" -}}
# The operator's own resources, as java-operator-sdk uses them (the primary resource, its status and finalizers).
- apiGroups: ["spectrum.dev"]
  resources:
    - spectrums
    - spectrums/status
    - spectrums/finalizers
    - funnels
    - funnels/status
    - funnels/finalizers
    - experiments
    - experiments/status
    - experiments/finalizers
  verbs: ["get", "list", "watch", "patch", "update", "create", "delete"]
# Database credentials: read by name (never listed or watched).
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get"]
# The generated SQL of each Funnel and Experiment.
- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["get", "create", "update"]
# The refresh CronJobs.
- apiGroups: ["batch"]
  resources: ["cronjobs"]
  verbs: ["get", "create", "update"]
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
