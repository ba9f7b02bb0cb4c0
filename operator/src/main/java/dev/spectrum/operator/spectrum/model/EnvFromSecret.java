package dev.spectrum.operator.spectrum.model;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import java.util.List;

/** Environment variables taken from a login Secret: credentials never appear in a spec or a command line. */
public final class EnvFromSecret {

    private EnvFromSecret() {
    }

    public static EnvVar of(String variable, String secretName, String key) {
        return new EnvVarBuilder().withName(variable).withNewValueFrom().withNewSecretKeyRef()
                .withName(secretName).withKey(key).endSecretKeyRef().endValueFrom().build();
    }

    /** PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD, PGSSLMODE for psql. */
    public static List<EnvVar> libpq(String secretName) {
        return List.of(of("PGHOST", secretName, "host"), of("PGPORT", secretName, "port"),
                of("PGDATABASE", secretName, "database"), of("PGUSER", secretName, "username"),
                of("PGPASSWORD", secretName, "password"), of("PGSSLMODE", secretName, "sslmode"));
    }
}
