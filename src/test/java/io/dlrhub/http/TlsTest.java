package io.dlrhub.http;

import static io.dlrhub.support.RunningHub.FORM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.dlrhub.support.HubExtension;
import io.dlrhub.support.RunningHub;
import io.dlrhub.support.Sql;
import io.dlrhub.support.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS on the webhook listener (tls.keystore / TLS_KEYSTORE): a PKCS12 key store made by the
 * JDK's keytool, a client that trusts exactly that certificate, TLS 1.2+ only, no plain HTTP on
 * the same port, and a clear start failure when the key store is missing.
 */
class TlsTest {

    static final String TOKEN = "tls-token";
    static final String PASSWORD = "changeit-" + Long.toHexString(System.nanoTime());

    @TempDir
    static Path directory;

    static Path keystore;
    static SSLContext trustingThisCertificate;

    @RegisterExtension
    static final HubExtension shared = HubExtension.on(TestDatabase::h2InMemory)
            .with("smsby.tokens", TOKEN)
            .withSettingsFrom(TlsTest::newKeyStore);

    final TestDatabase database = shared.database();
    final RunningHub hub = shared.hub();

    /** A key store made for this class (in its @TempDir), and a client context that trusts exactly its certificate. */
    static Map<String, String> newKeyStore() throws Exception {
        keystore = directory.resolve("dlr-hub.p12");
        generateKeyStore(keystore, PASSWORD);
        trustingThisCertificate = sslContextTrusting(keystore, PASSWORD);
        return Map.of("tls.keystore", keystore.toString(), "tls.keystore-password", PASSWORD);
    }

    @Test
    void aWebhookOverHttpsIsAcceptedAndStored() throws Exception {
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .sslContext(trustingThisCertificate)
                .connectTimeout(Duration.ofSeconds(5))
                .build();

        HttpResponse<String> response = client.send(webhook(httpsUri(), "tls-1"), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        RunningHub.Reply reply = new RunningHub.Reply(response.statusCode(), response.body(), response);
        assertThat(reply.field("status")).isEqualTo("accepted");
        assertThat(reply.field("event_id")).isNotBlank();
        assertThat(Sql.rows(
                        database,
                        "SELECT event_id FROM delivery_event WHERE provider = 'smsby' AND message_id = 'tls-1'"))
                .extracting(row -> row.get("event_id").toString())
                .containsExactly(reply.field("event_id"));

        SSLSession session =
                response.sslSession().orElseThrow(() -> new AssertionError("no TLS session on an https answer"));
        assertThat(session.getProtocol()).isIn("TLSv1.2", "TLSv1.3");
        Certificate served = session.getPeerCertificates()[0];
        assertThat(served).isEqualTo(certificateIn(keystore, PASSWORD));
    }

    @Test
    void aClientThatDoesNotTrustTheCertificateCannotConnect() throws Exception {
        SSLContext empty = SSLContext.getInstance("TLS");
        KeyStore nothing = KeyStore.getInstance("PKCS12");
        nothing.load(null, null);
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(nothing);
        empty.init(null, trust.getTrustManagers(), new SecureRandom());
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .sslContext(empty)
                .connectTimeout(Duration.ofSeconds(5))
                .build();

        assertThatThrownBy(
                        () -> client.send(webhook(httpsUri(), "tls-untrusted"), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(IOException.class);
        assertThat(Sql.count(database, "SELECT COUNT(*) FROM delivery_event WHERE message_id = 'tls-untrusted'"))
                .isZero();
    }

    @Test
    void plainHttpOnTheHttpsPortGetsNoValidAnswer() {
        HttpClient plain = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        URI uri = URI.create("http://127.0.0.1:" + hub.port() + "/webhooks/smsby?token=" + TOKEN);

        Throwable failure = catchThrowable(() -> {
            HttpResponse<String> response = plain.send(webhook(uri, "tls-plain"), HttpResponse.BodyHandlers.ofString());
            throw new AssertionError(
                    "plain HTTP on the HTTPS port got an answer: " + response.statusCode() + " " + response.body());
        });

        assertThat(failure).isInstanceOf(IOException.class);
        assertThat(Sql.count(database, "SELECT COUNT(*) FROM delivery_event WHERE message_id = 'tls-plain'"))
                .isZero();
    }

    /**
     * The JDK client refuses TLSv1.1 on its own (jdk.tls.disabledAlgorithms lists it), so the
     * HttpClient attempt cannot reach the server's decision: it only shows a TLSv1.1-only client
     * does not get through. The raw ClientHello below is what tests the server.
     */
    @Test
    void aClientLimitedToTls11CannotConnect() throws Exception {
        SSLParameters tls11 = new SSLParameters();
        tls11.setProtocols(new String[] {"TLSv1.1"});
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .sslContext(trustingThisCertificate)
                .sslParameters(tls11)
                .connectTimeout(Duration.ofSeconds(5))
                .build();

        Throwable failure =
                catchThrowable(() -> client.send(webhook(httpsUri(), "tls-11"), HttpResponse.BodyHandlers.ofString()));

        assertThat(failure).as("a TLSv1.1-only client must not get an answer").isNotNull();
        System.out.println("[TlsTest] TLSv1.1-only JDK client failed with: " + describe(failure));
        assertThat(Sql.count(database, "SELECT COUNT(*) FROM delivery_event WHERE message_id = 'tls-11'"))
                .isZero();
    }

    /** A hand-made TLS 1.1 ClientHello, so the server (not the JDK client) has to refuse the version. */
    @Test
    void theServerAnswersATls11HelloWithAProtocolVersionAlert() throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", hub.port()), 5000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(tls11ClientHello());
            out.flush();

            DataInputStream in = new DataInputStream(socket.getInputStream());
            int contentType;
            try {
                contentType = in.readUnsignedByte();
            } catch (EOFException closed) {
                // closing without a word is a refusal too, only a less helpful one
                System.out.println(
                        "[TlsTest] the server closed the connection on a TLS 1.1 ClientHello without an alert");
                return;
            }
            assertThat(contentType)
                    .as("TLS record type: 21 = alert, 22 = handshake (a ServerHello would mean TLS 1.1 was accepted)")
                    .isEqualTo(21);
            in.readUnsignedShort(); // record version
            int length = in.readUnsignedShort();
            assertThat(length).isEqualTo(2);
            int level = in.readUnsignedByte();
            int description = in.readUnsignedByte();
            assertThat(level).as("alert level fatal").isEqualTo(2);
            // 70 protocol_version (RFC 5246 7.2.2); 40 handshake_failure is what some stacks say instead
            assertThat(description).isIn(70, 40);
            System.out.println("[TlsTest] the server refused a TLS 1.1 ClientHello with alert " + description);
        }
    }

    @Test
    void aMissingKeyStoreFileStopsTheStartWithAMessageNamingTlsKeystore() {
        Path missing = directory.resolve("no-such-keystore.p12");

        Throwable failure = catchThrowable(() -> {
            RunningHub started = RunningHub.start(
                    TestDatabase.h2InMemory(),
                    Map.of(
                            "smsby.tokens", TOKEN,
                            "tls.keystore", missing.toString(),
                            "tls.keystore-password", PASSWORD));
            started.close();
        });

        assertThat(failure).isInstanceOf(IllegalStateException.class);
        List<String> messages = new ArrayList<>();
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            messages.add(t.getClass().getName() + ": " + t.getMessage());
        }
        assertThat(messages)
                .as("cause chain")
                .anySatisfy(m -> assertThat(m).contains("TLS_KEYSTORE").contains(missing.toString()));
        assertThat(messages).as("cause chain").noneSatisfy(m -> assertThat(m).contains(PASSWORD));
    }

    // ------------------------------------------------------------------------------------------

    private URI httpsUri() {
        return URI.create("https://127.0.0.1:" + hub.port() + "/webhooks/smsby?token=" + TOKEN);
    }

    private static HttpRequest webhook(URI uri, String messageId) {
        return HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(15))
                .header("Content-Type", FORM)
                .POST(HttpRequest.BodyPublishers.ofString("channel=SMS&message_id=" + messageId + "&status=DELIVERED"))
                .build();
    }

    static void generateKeyStore(Path file, String password) throws Exception {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process process = new ProcessBuilder(
                        keytool.toString(),
                        "-genkeypair",
                        "-alias",
                        "dlr-hub",
                        "-keyalg",
                        "RSA",
                        "-keysize",
                        "2048",
                        "-storetype",
                        "PKCS12",
                        "-keystore",
                        file.toString(),
                        "-storepass",
                        password,
                        "-keypass",
                        password,
                        "-dname",
                        "CN=localhost",
                        "-ext",
                        "SAN=ip:127.0.0.1,dns:localhost",
                        "-validity",
                        "2")
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("keytool finished").isTrue();
        assertThat(process.exitValue()).as("keytool: " + output).isZero();
        assertThat(file).isRegularFile();
    }

    static Certificate certificateIn(Path file, String password) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, password.toCharArray());
        }
        Certificate certificate = store.getCertificate("dlr-hub");
        assertThat(certificate).isNotNull();
        return certificate;
    }

    /** An SSLContext whose only trust anchor is the certificate in the key store. */
    static SSLContext sslContextTrusting(Path file, String password) throws Exception {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("dlr-hub", certificateIn(file, password));
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), new SecureRandom());
        return context;
    }

    /** TLS record (version 1.0 on the record layer, as clients do) holding a TLS 1.1 ClientHello without extensions. */
    static byte[] tls11ClientHello() {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(0x03);
        body.write(0x02); // client_version TLS 1.1
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        body.writeBytes(random);
        body.write(0); // session id: none
        int[] suites = {0xC013, 0xC014, 0x002F, 0x0035}; // ECDHE_RSA / RSA with AES-CBC-SHA: valid in TLS 1.1
        body.write(0);
        body.write(suites.length * 2);
        for (int suite : suites) {
            body.write(suite >> 8);
            body.write(suite & 0xFF);
        }
        body.write(1); // compression methods
        body.write(0); // null
        byte[] hello = body.toByteArray();

        ByteArrayOutputStream handshake = new ByteArrayOutputStream();
        handshake.write(1); // client_hello
        handshake.write(hello.length >> 16);
        handshake.write(hello.length >> 8);
        handshake.write(hello.length);
        handshake.writeBytes(hello);
        byte[] message = handshake.toByteArray();

        ByteArrayOutputStream record = new ByteArrayOutputStream();
        record.write(22); // handshake
        record.write(0x03);
        record.write(0x01);
        record.write(message.length >> 8);
        record.write(message.length);
        record.writeBytes(message);
        return record.toByteArray();
    }

    static String describe(Throwable failure) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (text.length() > 0) {
                text.append(" <- ");
            }
            text.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage());
        }
        return text.toString();
    }
}
