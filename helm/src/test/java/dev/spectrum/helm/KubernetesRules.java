package dev.spectrum.helm;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Rules the API server enforces on the objects the chart renders, written out for a test without
 * a cluster (from Kubernetes' validation: apimachinery's IsDNS1123Label/Subdomain,
 * IsQualifiedName, IsValidLabelValue, IsValidPortName, IsEnvVarName, and the apps/v1 Deployment
 * and RBAC references). Not all of them: see docs/kubernetes.md, Limits of the offline checks.
 */
final class KubernetesRules {

    static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    static final Pattern QUALIFIED_NAME = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
    static final Pattern PORT_NAME = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?");
    static final Pattern ENV_NAME = Pattern.compile("[-._a-zA-Z][-._a-zA-Z0-9]*");

    private KubernetesRules() {
    }

    static List<String> problems(HasMetadata object) {
        List<String> problems = new ArrayList<>();
        var meta = object.getMetadata();
        String name = meta.getName();
        if (name == null || name.length() > 253 || !DNS_SUBDOMAIN.matcher(name).matches()) {
            problems.add("metadata.name " + name + " is not a DNS-1123 subdomain");
        }
        if (meta.getNamespace() != null && !isLabel(meta.getNamespace())) {
            problems.add("metadata.namespace " + meta.getNamespace() + " is not a DNS-1123 label");
        }
        labels("metadata.labels", meta.getLabels(), problems);
        if (meta.getAnnotations() != null) {
            meta.getAnnotations().keySet().forEach(k -> key("metadata.annotations", k, problems));
        }
        if (object instanceof Deployment deployment) {
            deployment(deployment, problems);
        }
        return problems;
    }

    private static void deployment(Deployment deployment, List<String> problems) {
        if (deployment.getMetadata().getName().length() > 63) {
            problems.add("a Deployment's name becomes its pods' label value: at most 63 characters");
        }
        var template = deployment.getSpec().getTemplate();
        labels("spec.template.metadata.labels", template.getMetadata().getLabels(), problems);
        Map<String, String> selector = deployment.getSpec().getSelector().getMatchLabels();
        Map<String, String> podLabels = template.getMetadata().getLabels();
        if (selector == null || selector.isEmpty()) {
            problems.add("spec.selector is empty");
        } else if (podLabels == null || !podLabels.entrySet().containsAll(selector.entrySet())) {
            problems.add("spec.selector " + selector + " does not match the template's labels " + podLabels);
        }
        if (deployment.getSpec().getReplicas() != null && deployment.getSpec().getReplicas() < 0) {
            problems.add("spec.replicas is negative");
        }
        var pod = template.getSpec();
        Set<String> volumes = pod.getVolumes().stream().map(Volume::getName).collect(Collectors.toSet());
        for (Container c : pod.getContainers()) {
            String at = "container " + c.getName();
            if (!isLabel(c.getName())) {
                problems.add(at + ": name is not a DNS-1123 label");
            }
            if (c.getImage() == null || c.getImage().isBlank() || c.getImage().contains(" ")) {
                problems.add(at + ": image '" + c.getImage() + "'");
            }
            Set<String> ports = c.getPorts().stream().map(ContainerPort::getName).filter(Objects::nonNull).collect(Collectors.toSet());
            for (String port : ports) {
                if (port.length() > 15 || !PORT_NAME.matcher(port).matches() || !port.matches(".*[a-z].*")) {
                    problems.add(at + ": port name " + port + " is not an IANA service name (at most 15 characters)");
                }
            }
            for (Probe probe : new Probe[] {c.getLivenessProbe(), c.getReadinessProbe(), c.getStartupProbe()}) {
                if (probe != null && probe.getHttpGet() != null) {
                    IntOrString port = probe.getHttpGet().getPort();
                    if (port.getStrVal() != null && !ports.contains(port.getStrVal())) {
                        problems.add(at + ": a probe names port " + port.getStrVal() + ", which the container does not declare");
                    }
                    if (!probe.getHttpGet().getPath().startsWith("/")) {
                        problems.add(at + ": probe path must be absolute");
                    }
                }
            }
            c.getEnv().forEach(e -> {
                if (!ENV_NAME.matcher(e.getName()).matches()) {
                    problems.add(at + ": env name " + e.getName());
                }
                if (e.getValue() != null && e.getValueFrom() != null) {
                    problems.add(at + ": env " + e.getName() + " has both value and valueFrom");
                }
            });
            for (VolumeMount m : c.getVolumeMounts()) {
                if (!volumes.contains(m.getName())) {
                    problems.add(at + ": mounts volume " + m.getName() + ", which the pod does not declare");
                }
            }
            if (c.getResources() != null) {
                quantities(at + " requests", c.getResources().getRequests(), problems);
                quantities(at + " limits", c.getResources().getLimits(), problems);
            }
        }
    }

    /** References between objects: bindings to rendered roles and service accounts, a pod's ServiceAccount. */
    static List<String> crossObjectProblems(List<HasMetadata> objects) {
        List<String> problems = new ArrayList<>();
        Set<String> accounts = objects.stream().filter(o -> o instanceof ServiceAccount)
                .map(o -> o.getMetadata().getNamespace() + "/" + o.getMetadata().getName()).collect(Collectors.toSet());
        Set<String> clusterRoles = objects.stream().filter(o -> o instanceof ClusterRole).map(o -> o.getMetadata().getName())
                .collect(Collectors.toSet());
        Set<String> roles = objects.stream().filter(o -> o instanceof Role)
                .map(o -> o.getMetadata().getNamespace() + "/" + o.getMetadata().getName()).collect(Collectors.toSet());
        for (HasMetadata o : objects) {
            List<Subject> subjects = List.of();
            if (o instanceof ClusterRoleBinding b) {
                if (!b.getRoleRef().getKind().equals("ClusterRole") || !clusterRoles.contains(b.getRoleRef().getName())) {
                    problems.add("ClusterRoleBinding " + b.getMetadata().getName() + " refers to a role the chart does not render");
                }
                subjects = b.getSubjects();
            } else if (o instanceof RoleBinding b) {
                if (!b.getRoleRef().getKind().equals("Role")
                        || !roles.contains(b.getMetadata().getNamespace() + "/" + b.getRoleRef().getName())) {
                    problems.add("RoleBinding " + b.getMetadata().getNamespace() + "/" + b.getMetadata().getName()
                            + " refers to a Role not in its namespace");
                }
                subjects = b.getSubjects();
            } else if (o instanceof Deployment d && !accounts.isEmpty()) {
                String sa = d.getMetadata().getNamespace() + "/" + d.getSpec().getTemplate().getSpec().getServiceAccountName();
                if (!accounts.contains(sa)) {
                    problems.add("Deployment " + d.getMetadata().getName() + " runs as " + sa + ", which the chart does not create");
                }
            }
            for (Subject s : subjects) {
                if (!s.getKind().equals("ServiceAccount") || s.getNamespace() == null
                        || !accounts.isEmpty() && !accounts.contains(s.getNamespace() + "/" + s.getName())) {
                    problems.add(o.getKind() + " " + o.getMetadata().getName() + " binds " + s.getKind() + " " + s.getNamespace()
                            + "/" + s.getName() + ", which the chart does not create");
                }
            }
        }
        return problems;
    }

    private static boolean isLabel(String s) {
        return s.length() <= 63 && DNS_LABEL.matcher(s).matches();
    }

    private static void labels(String at, Map<String, String> labels, List<String> problems) {
        if (labels == null) {
            return;
        }
        labels.forEach((k, v) -> {
            key(at, k, problems);
            if (v.length() > 63 || !(v.isEmpty() || QUALIFIED_NAME.matcher(v).matches())) {
                problems.add(at + ": value of " + k + " '" + v + "' is not a valid label value");
            }
        });
    }

    private static void key(String at, String key, List<String> problems) {
        String[] parts = key.split("/", -1);
        String name = parts[parts.length - 1];
        boolean ok = parts.length <= 2 && name.length() <= 63 && QUALIFIED_NAME.matcher(name).matches()
                && (parts.length == 1 || parts[0].length() <= 253 && DNS_SUBDOMAIN.matcher(parts[0]).matches());
        if (!ok) {
            problems.add(at + ": key " + key + " is not a qualified name");
        }
    }

    private static void quantities(String at, Map<String, Quantity> values, List<String> problems) {
        if (values == null) {
            return;
        }
        values.forEach((k, q) -> {
            try {
                Quantity.getAmountInBytes(q);
            } catch (RuntimeException e) {
                problems.add(at + ": " + k + " '" + q + "' is not a quantity");
            }
        });
    }
}
