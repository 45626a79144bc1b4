package dev.switchboard.api;

import dev.switchboard.core.secret.OwnerOnlyFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed certificate for trying HTTPS out ({@code standalone --tls-self-signed}): an EC P-256 key and a
 * certificate for {@code localhost} and {@code 127.0.0.1}, valid 825 days, made by the JDK's {@code keytool}
 * (the JDK has no public API for certificates). Files in {@code dir}: {@value #KEYSTORE} (PKCS12),
 * {@value #PASSWORD} (its random password; both owner-readable only) and {@value #CA_PEM} (the certificate, for
 * clients to trust: {@code --ca-file}). Existing files are reused.
 */
public final class SelfSignedTls {
    public static final String KEYSTORE = "server.p12";
    public static final String PASSWORD = "server.password";
    public static final String CA_PEM = "ca.pem";

    private SelfSignedTls() {}

    /** The TLS configuration of the self-signed certificate in {@code dir}, created when missing. */
    public static TlsConfig loadOrCreate(Path dir) throws IOException {
        Path keystore = dir.resolve(KEYSTORE);
        Path passwordFile = dir.resolve(PASSWORD);
        if (!Files.exists(keystore) || !Files.exists(passwordFile) || !Files.exists(dir.resolve(CA_PEM))) {
            create(dir);
        }
        return TlsConfig.pkcs12(
                keystore, Files.readString(passwordFile, StandardCharsets.UTF_8).strip());
    }

    /**
     * keytool writes its files with default permissions, so it works in a private directory (owner-only, random
     * name) and the finished keystore is moved into place owner-only; its password reaches keytool in a file,
     * never on the command line (where any local user could read it).
     */
    private static void create(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.deleteIfExists(dir.resolve(KEYSTORE));
        byte[] random = new byte[18];
        new SecureRandom().nextBytes(random);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        Path passwordFile = dir.resolve(PASSWORD);
        OwnerOnlyFiles.write(passwordFile, (password + "\n").getBytes(StandardCharsets.UTF_8));
        Path work = OwnerOnlyFiles.privateDirectory(dir);
        try {
            String keystore = work.resolve(KEYSTORE).toString();
            keytool(List.of(
                    "-genkeypair",
                    "-alias",
                    "switchboard",
                    "-keyalg",
                    "EC",
                    "-groupname",
                    "secp256r1",
                    "-validity",
                    "825",
                    "-dname",
                    "CN=localhost",
                    "-ext",
                    "SAN=dns:localhost,ip:127.0.0.1,ip:::1",
                    "-keystore",
                    keystore,
                    "-storetype",
                    "PKCS12",
                    "-storepass:file",
                    passwordFile.toString()));
            keytool(List.of(
                    "-exportcert",
                    "-rfc",
                    "-alias",
                    "switchboard",
                    "-keystore",
                    keystore,
                    "-storetype",
                    "PKCS12",
                    "-storepass:file",
                    passwordFile.toString(),
                    "-file",
                    dir.resolve(CA_PEM).toString()));
            OwnerOnlyFiles.publish(work.resolve(KEYSTORE), dir.resolve(KEYSTORE));
        } finally {
            try (var left = Files.list(work)) {
                for (Path file : left.toList()) {
                    Files.deleteIfExists(file);
                }
            }
            Files.deleteIfExists(work);
        }
    }

    private static void keytool(List<String> args) throws IOException {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        if (!Files.isExecutable(keytool)) {
            throw new IOException("cannot make a self-signed certificate: no keytool at " + keytool
                    + " (run on a full JDK, or configure a certificate)");
        }
        List<String> command = new ArrayList<>();
        command.add(keytool.toString());
        command.addAll(args);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IOException("keytool failed: " + output.strip());
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while making a self-signed certificate", e);
        }
    }
}
