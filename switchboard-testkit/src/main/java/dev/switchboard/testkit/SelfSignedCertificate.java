package dev.switchboard.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed certificate (subject {@code CN=<name>}), by default for {@code localhost} and {@code 127.0.0.1}, made by the JDK's {@code keytool} (the
 * JDK has no public API for certificates), for TLS tests: the key and certificate in a PKCS12 key store, and the
 * certificate alone as PEM for clients to trust.
 *
 * @param keyStore the PKCS12 key store (alias {@code server})
 * @param password the key store's password
 * @param certificatePem the certificate, PEM
 */
public record SelfSignedCertificate(Path keyStore, String password, Path certificatePem) {

    /** Creates {@code <name>.p12} and {@code <name>.pem} in {@code dir}, for localhost and 127.0.0.1. */
    public static SelfSignedCertificate create(Path dir, String name) {
        return create(dir, name, "dns:localhost,ip:127.0.0.1");
    }

    /**
     * As {@link #create(Path, String)}, for the names of {@code subjectAlternativeNames} in keytool's form, e.g.
     * {@code dns:localhost} (to test host name verification).
     */
    public static SelfSignedCertificate create(Path dir, String name, String subjectAlternativeNames) {
        Path keyStore = dir.resolve(name + ".p12");
        Path pem = dir.resolve(name + ".pem");
        String password = UUID.randomUUID().toString();
        keytool(
                List.of(
                        "-genkeypair",
                        "-alias",
                        "server",
                        "-keyalg",
                        "EC",
                        "-groupname",
                        "secp256r1",
                        "-validity",
                        "2",
                        "-dname",
                        "CN=" + name,
                        "-ext",
                        "SAN=" + subjectAlternativeNames,
                        "-keystore",
                        keyStore.toString(),
                        "-storetype",
                        "PKCS12",
                        "-storepass:env",
                        STOREPASS_VARIABLE),
                password);
        keytool(
                List.of(
                        "-exportcert",
                        "-rfc",
                        "-alias",
                        "server",
                        "-keystore",
                        keyStore.toString(),
                        "-storetype",
                        "PKCS12",
                        "-storepass:env",
                        STOREPASS_VARIABLE,
                        "-file",
                        pem.toString()),
                password);
        return new SelfSignedCertificate(keyStore, password, pem);
    }

    /** The password reaches keytool in its environment, never on its command line (visible to every local user). */
    private static final String STOREPASS_VARIABLE = "SB_KEYTOOL_STOREPASS";

    private static void keytool(List<String> args, String password) {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        List<String> command = new ArrayList<>();
        command.add(keytool.toString());
        command.addAll(args);
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().put(STOREPASS_VARIABLE, password);
            Process process = builder.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalStateException("keytool failed: " + output.strip());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + keytool, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running keytool", e);
        }
    }
}
