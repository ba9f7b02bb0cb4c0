package dev.spectrum.operator.unit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spectrum.operator.spectrum.database.AddressMap;
import dev.spectrum.operator.spectrum.database.LoginSql;
import dev.spectrum.sql.ScramVerifier;
import dev.spectrum.operator.spectrum.model.Passwords;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** The database side's pure parts: SCRAM verifiers, login SQL text, the address map, passwords. */
class DatabaseSideTest {

    /** RFC 7677's example exchange (user, pencil): the verifier's keys reproduce its server signature and client proof. */
    @Test
    void theScramVerifierMatchesRfc7677() throws Exception {
        byte[] salt = Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ==");
        String verifier = ScramVerifier.compute("pencil", salt, 4096);
        assertThat(verifier).startsWith("SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$");
        String[] keys = verifier.substring(verifier.lastIndexOf('$') + 1).split(":");
        byte[] storedKey = Base64.getDecoder().decode(keys[0]);
        byte[] serverKey = Base64.getDecoder().decode(keys[1]);
        String authMessage = "n=user,r=rOprNGfwEbeRWgbNEkqO,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                + "s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
        assertThat(Base64.getEncoder().encodeToString(hmac(serverKey, authMessage))).isEqualTo("6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
        byte[] proof = Base64.getDecoder().decode("dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
        byte[] signature = hmac(storedKey, authMessage);
        byte[] clientKey = new byte[proof.length];
        for (int i = 0; i < proof.length; i++) {
            clientKey[i] = (byte) (proof[i] ^ signature[i]);
        }
        assertThat(MessageDigest.getInstance("SHA-256").digest(clientKey)).isEqualTo(storedKey);
        // a fresh salt each time
        assertThat(ScramVerifier.of("pencil")).isNotEqualTo(ScramVerifier.of("pencil")).doesNotContain("pencil");
    }

    @Test
    void loginSqlSetsAVerifierNeverThePasswordAndKeepsOneRole() {
        assertThat(LoginSql.create("spectrum_ingest_0123456789")).isEqualTo("CREATE ROLE \"spectrum_ingest_0123456789\" LOGIN INHERIT");
        assertThat(LoginSql.setPassword("spectrum_ingest_0123456789", "SCRAM-SHA-256$4096:abc$def:ghi"))
                .isEqualTo("ALTER ROLE \"spectrum_ingest_0123456789\" WITH LOGIN INHERIT PASSWORD E'SCRAM-SHA-256$4096:abc$def:ghi'");
        assertThat(LoginSql.membership("l", "spectrum_ingest", List.of("spectrum_reader", "spectrum_ingest", "other")))
                .containsExactly("REVOKE \"spectrum_reader\" FROM \"l\"");
        assertThat(LoginSql.membership("l", "spectrum_ingest", List.of())).containsExactly("GRANT \"spectrum_ingest\" TO \"l\"");
        assertThat(LoginSql.fingerprint("l", "secret")).hasSize(16).doesNotContain("secret")
                .isNotEqualTo(LoginSql.fingerprint("l", "secret2"));
    }

    @Test
    void theAddressMapRoutesInClusterNamesAndLeavesOthersAlone() {
        var map = AddressMap.parse(Optional.of("prod-db.shop.svc:5432=localhost:15432, cnpg-db-rw.x.svc:5432=127.0.0.1:5432/spectrum_t"));
        assertThat(map.resolve("prod-db.shop.svc", 5432, "spectrum")).isEqualTo(new AddressMap.Target("localhost", 15432, "spectrum"));
        assertThat(map.resolve("cnpg-db-rw.x.svc", 5432, "spectrum")).isEqualTo(new AddressMap.Target("127.0.0.1", 5432, "spectrum_t"));
        assertThat(map.resolve("rds.example", 5432, "a")).isEqualTo(new AddressMap.Target("rds.example", 5432, "a"));
        assertThatThrownBy(() -> AddressMap.parse(Optional.of("nonsense"))).hasMessageContaining("'nonsense' is not host:port=host:port");
    }

    @Test
    void passwordsAreLongAlphanumericAndDifferent() {
        String a = Passwords.generate();
        assertThat(a).hasSize(32).matches("[A-Za-z0-9]+");
        assertThat(Passwords.generate()).isNotEqualTo(a);
        assertThat(Passwords.writeKey()).startsWith("spx_").hasSize(36);
    }

    private static byte[] hmac(byte[] key, String text) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
    }
}
