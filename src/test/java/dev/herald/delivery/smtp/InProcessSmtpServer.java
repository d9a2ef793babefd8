package dev.herald.delivery.smtp;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * A small SMTP server on loopback for what smtp-sink cannot do: STARTTLS with a self-signed
 * certificate made for the test, implicit TLS (port 465 style), AUTH PLAIN and LOGIN checked against
 * one login (offered only over TLS, as Postfix's {@code smtpd_tls_auth_only}), misbehaving around TLS,
 * and no longer reading a message. It records who connected from where and what they said.
 */
final class InProcessSmtpServer implements AutoCloseable {
  enum Behaviour {
    /** Offers STARTTLS and speaks properly. */
    PROPER,
    /** Answers STARTTLS with 220 and a forged line in the same write, before any TLS. */
    INJECTS_AFTER_STARTTLS,
    /** Answers STARTTLS with 220, then sends no TLS at all. */
    BREAKS_THE_HANDSHAKE,
    /** Answers DATA with 354 and never reads again. */
    STOPS_READING_THE_MESSAGE
  }

  final InetSocketAddress address;
  /** Each message received, with whether it came over TLS. */
  final List<String> messages = new CopyOnWriteArrayList<>();
  final List<Boolean> overTls = new CopyOnWriteArrayList<>();
  /** The source address of each connection, and each EHLO line as received. */
  final List<InetAddress> remoteAddresses = new CopyOnWriteArrayList<>();
  final List<String> ehloLines = new CopyOnWriteArrayList<>();
  /** Each AUTH that succeeded, as "MECHANISM user", and each AUTH line received in clear. */
  final List<String> logins = new CopyOnWriteArrayList<>();
  final List<String> authInClear = new CopyOnWriteArrayList<>();
  private final ServerSocket server;
  private final Behaviour behaviour;
  private final SSLContext tls;
  private final boolean implicitTls;
  private final Credentials login;
  private final Thread acceptor;

  InProcessSmtpServer(Behaviour behaviour, SSLContext tls) throws IOException {
    this(behaviour, tls, false, null);
  }

  /**
   * @param implicitTls TLS from the first byte, no STARTTLS offered
   * @param login the one login AUTH accepts (offered over TLS only), required before MAIL; {@code null} for no AUTH
   */
  InProcessSmtpServer(Behaviour behaviour, SSLContext tls, boolean implicitTls, Credentials login) throws IOException {
    this.behaviour = behaviour;
    this.tls = tls;
    this.implicitTls = implicitTls;
    this.login = login;
    this.server = new ServerSocket();
    if (behaviour == Behaviour.STOPS_READING_THE_MESSAGE) {
      server.setReceiveBufferSize(4096); // so the client's writes fill the socket buffers quickly
    }
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    this.address = new InetSocketAddress("127.0.0.1", server.getLocalPort());
    this.acceptor = Thread.ofVirtual().start(this::accept);
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        Thread.ofVirtual().start(() -> serve(socket));
      } catch (IOException closed) {
        return;
      }
    }
  }

  private void serve(Socket socket) {
    try (socket) {
      remoteAddresses.add(socket.getInetAddress());
      Socket current = socket;
      boolean encrypted = false;
      if (implicitTls) {
        current = serverTls(socket);
        encrypted = true;
      }
      BufferedReader in = reader(current);
      OutputStream out = current.getOutputStream();
      send(out, "220 mx.tls.test ESMTP\r\n");
      boolean authenticated = false;
      String line;
      while ((line = in.readLine()) != null) {
        String verb = line.length() >= 4 ? line.substring(0, 4).toUpperCase() : line.toUpperCase();
        switch (verb) {
          case "EHLO" -> {
            ehloLines.add(line);
            send(out, encrypted
                ? "250-mx.tls.test\r\n250-PIPELINING\r\n" + (login != null ? "250-AUTH PLAIN LOGIN\r\n" : "") + "250 8BITMIME\r\n"
                : "250-mx.tls.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n");
          }
          case "AUTH" -> {
            if (!encrypted) authInClear.add(line);
            String[] words = line.split(" ");
            String user;
            String password;
            if (words.length == 3 && words[1].equalsIgnoreCase("PLAIN")) {
              String[] parts = decode(words[2]).split("\0", -1);
              user = parts.length == 3 ? parts[1] : "";
              password = parts.length == 3 ? parts[2] : "";
            } else if (words.length == 2 && words[1].equalsIgnoreCase("LOGIN")) {
              send(out, "334 VXNlcm5hbWU6\r\n");
              user = decode(in.readLine());
              send(out, "334 UGFzc3dvcmQ6\r\n");
              password = decode(in.readLine());
            } else {
              send(out, "504 5.5.4 Unrecognized authentication type\r\n");
              continue;
            }
            if (login != null && encrypted && login.user().equals(user) && login.password().equals(password)) {
              authenticated = true;
              logins.add(words[1].toUpperCase() + " " + user);
              send(out, "235 2.7.0 Authentication successful\r\n");
            } else {
              send(out, "535 5.7.8 Error: authentication failed: authentication failure\r\n");
            }
          }
          case "MAIL" -> send(out, login != null && !authenticated ? "530 5.7.0 Authentication required\r\n" : "250 2.0.0 Ok\r\n");
          case "STAR" -> {
            switch (behaviour) {
              case INJECTS_AFTER_STARTTLS -> {
                send(out, "220 2.0.0 Ready\r\n250-mx.tls.test\r\n250 PIPELINING\r\n");
                Thread.sleep(2000);
                return;
              }
              case BREAKS_THE_HANDSHAKE -> {
                send(out, "220 2.0.0 Ready\r\n");
                send(out, "this is not TLS at all\r\n");
                return;
              }
              default -> {
                send(out, "220 2.0.0 Ready\r\n");
                current = serverTls(current);
                in = reader(current);
                out = current.getOutputStream();
                encrypted = true;
              }
            }
          }
          case "RCPT", "RSET" -> send(out, "250 2.0.0 Ok\r\n");
          case "DATA" -> {
            send(out, "354 End data with <CR><LF>.<CR><LF>\r\n");
            if (behaviour == Behaviour.STOPS_READING_THE_MESSAGE) {
              Thread.sleep(10_000);
              return;
            }
            StringBuilder message = new StringBuilder();
            while (!(line = in.readLine()).equals(".")) {
              message.append(line).append('\n');
            }
            messages.add(message.toString());
            overTls.add(encrypted);
            send(out, "250 2.0.0 Ok: queued\r\n");
          }
          case "QUIT" -> {
            send(out, "221 2.0.0 Bye\r\n");
            return;
          }
          default -> send(out, "502 5.5.2 Error: command not recognized\r\n");
        }
      }
    } catch (IOException | InterruptedException | NullPointerException e) {
      // the client went away or the test ended
    }
  }

  private SSLSocket serverTls(Socket socket) throws IOException {
    SSLSocket secure = (SSLSocket) tls.getSocketFactory().createSocket(socket, null, socket.getPort(), true);
    secure.setUseClientMode(false);
    secure.startHandshake();
    return secure;
  }

  private static String decode(String base64) {
    try {
      return new String(java.util.Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException | NullPointerException e) {
      return "";
    }
  }

  private static BufferedReader reader(Socket socket) throws IOException {
    return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
  }

  private static void send(OutputStream out, String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  @Override
  public void close() throws Exception {
    server.close();
    acceptor.join(TimeUnit.SECONDS.toMillis(5));
  }

  /** A self-signed certificate for {@code mx.tls.test}, made by the JDK's keytool. */
  record TestCertificate(SSLContext server, SSLContext trusting) {
    static TestCertificate create(Path dir) throws Exception {
      Path store = dir.resolve("mx.p12");
      char[] password = "changeit".toCharArray();
      Process keytool = new ProcessBuilder(
              Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
              "-genkeypair", "-alias", "mx", "-keyalg", "EC", "-groupname", "secp256r1",
              "-dname", "CN=mx.tls.test", "-ext", "SAN=dns:mx.tls.test", "-validity", "2",
              "-storetype", "PKCS12", "-keystore", store.toString(),
              "-storepass", "changeit", "-keypass", "changeit")
          .redirectErrorStream(true)
          .start();
      String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
        throw new IllegalStateException("keytool failed: " + output);
      }
      KeyStore keys = KeyStore.getInstance("PKCS12");
      try (var in = Files.newInputStream(store)) {
        keys.load(in, password);
      }
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, password);
      SSLContext server = SSLContext.getInstance("TLS");
      server.init(kmf.getKeyManagers(), null, null);

      Certificate certificate = keys.getCertificate("mx");
      KeyStore roots = KeyStore.getInstance("PKCS12");
      roots.load(null, null);
      roots.setCertificateEntry("mx", certificate);
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(roots);
      SSLContext trusting = SSLContext.getInstance("TLS");
      trusting.init(null, tmf.getTrustManagers(), null);
      return new TestCertificate(server, trusting);
    }
  }
}
