package dev.spectrum.operator.spectrum.dependent;

import dev.spectrum.operator.spectrum.database.AddressMap;
import org.eclipse.microprofile.config.ConfigProvider;

/** The operator's settings the dependents read (application.properties; the Helm chart sets them). */
public final class Settings {

    private Settings() {
    }

    /** This release's spectrum image, for the ingest Deployment. */
    public static String ingestImage() {
        return ConfigProvider.getConfig().getOptionalValue("spectrum.operator.ingest-image", String.class).orElse("spectrum:latest");
    }

    /** The psql image of the pipeline and refresh CronJobs. */
    public static String psqlImage() {
        return ConfigProvider.getConfig().getOptionalValue("spectrum.operator.refresh-image", String.class).orElse("postgres:16-alpine");
    }

    public static AddressMap addresses() {
        return AddressMap.parse(ConfigProvider.getConfig().getOptionalValue("spectrum.operator.address-map", String.class));
    }
}
