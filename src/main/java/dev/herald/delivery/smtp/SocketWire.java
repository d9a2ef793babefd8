package dev.herald.delivery.smtp;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ProtocolException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/** A {@link Wire} over a TCP socket, upgraded in place by STARTTLS. */
final class SocketWire implements Wire {
  /** RFC 5321's data block timeout applies to each TCP send of this many bytes at most. */
  static final int BLOCK = 64 * 1024;

  /**
   * Java's socket writes cannot time out, and a server that stops reading would hold a sender
   * forever; this one platform thread closes the socket of a write that overran its time. Cancelled
   * tasks are removed at once, so a busy MTA does not pile up three-minute tasks.
   */
  private static final ScheduledThreadPoolExecutor WATCHDOG = watchdog();

  private final Socket socket;
  private final SSLContext verifying;
  private final InputStream in;
  private final OutputStream out;
  private final byte[] buffer = new byte[8192];
  private int position;
  private int limit;

  SocketWire(Socket socket, SSLContext verifying) throws IOException {
    this.socket = socket;
    this.verifying = verifying;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
  }

  @Override
  public String readLine(Duration timeout) throws IOException {
    socket.setSoTimeout(Math.toIntExact(Math.max(1, timeout.toMillis())));
    byte[] line = new byte[128];
    int length = 0;
    while (true) {
      if (position == limit) {
        limit = in.read(buffer);
        position = 0;
        if (limit <= 0) {
          limit = 0;
          throw new EOFException("the server closed the connection");
        }
      }
      byte b = buffer[position++];
      if (b == '\n') {
        if (length > 0 && line[length - 1] == '\r') {
          length--;
        }
        return new String(line, 0, length, StandardCharsets.UTF_8);
      }
      if (length == MAX_LINE) {
        throw new ProtocolException("reply line longer than " + MAX_LINE + " bytes");
      }
      if (length == line.length) {
        line = Arrays.copyOf(line, Math.min(MAX_LINE, length * 2));
      }
      line[length++] = b;
    }
  }

  @Override
  public void write(byte[] bytes, Duration blockTimeout) throws IOException {
    for (int offset = 0; offset < bytes.length; offset += BLOCK) {
      int length = Math.min(BLOCK, bytes.length - offset);
      AtomicBoolean overran = new AtomicBoolean();
      ScheduledFuture<?> alarm =
          WATCHDOG.schedule(
              () -> {
                overran.set(true);
                close();
              },
              blockTimeout.toNanos(),
              TimeUnit.NANOSECONDS);
      try {
        out.write(bytes, offset, length);
        out.flush();
      } catch (IOException e) {
        if (overran.get()) {
          throw new SocketTimeoutException("write timed out");
        }
        throw e;
      } finally {
        alarm.cancel(false);
      }
      if (overran.get()) {
        throw new SocketTimeoutException("write timed out");
      }
    }
  }

  @Override
  public Wire startTls(String serverName, boolean verify, Duration timeout) throws IOException {
    // Bytes the server sent after its 220 were sent in clear and would be read as if they came
    // through TLS (the STARTTLS injection of CVE-2011-0411, seen from the client side).
    if (position != limit || in.available() > 0) {
      throw new ProtocolException("the server sent data after its reply to STARTTLS");
    }
    return handshake(socket, serverName, verify, timeout, verifying);
  }

  /**
   * Runs a client TLS handshake over a connected socket: after a 220 to STARTTLS, or at once for implicit TLS
   * (port 465, RFC 8314).
   */
  static SocketWire handshake(Socket socket, String serverName, boolean verify, Duration timeout, SSLContext verifying)
      throws IOException {
    SSLContext context = verify ? verifying : TRUST_ALL;
    SSLSocket tls =
        (SSLSocket)
            context.getSocketFactory()
                .createSocket(socket, serverName, socket.getPort(), true);
    SSLParameters parameters = tls.getSSLParameters();
    if (isHostName(serverName)) {
      parameters.setServerNames(List.of(new SNIHostName(serverName.replaceFirst("\\.$", ""))));
    }
    if (verify) {
      // The "HTTPS" rules (RFC 2818/6125: subjectAltName DNS names, one leading wildcard) are the
      // ones RFC 7672 and 8461 ask an SMTP client to apply to the MX host name.
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
    }
    tls.setSSLParameters(parameters);
    tls.setSoTimeout(Math.toIntExact(Math.max(1, timeout.toMillis())));
    tls.setUseClientMode(true);
    tls.startHandshake();
    return new SocketWire(tls, verifying);
  }

  @Override
  public boolean encrypted() {
    return socket instanceof SSLSocket;
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing is best effort: the peer may already be gone
    }
  }

  private static boolean isHostName(String name) {
    if (name == null || name.isEmpty() || name.indexOf(':') >= 0) {
      return false;
    }
    return !name.chars().allMatch(c -> c == '.' || Character.isDigit(c));
  }

  private static ScheduledThreadPoolExecutor watchdog() {
    ScheduledThreadPoolExecutor executor =
        new ScheduledThreadPoolExecutor(
            1, Thread.ofPlatform().daemon().name("smtp-write-watchdog").factory());
    executor.setRemoveOnCancelPolicy(true);
    return executor;
  }

  /**
   * Opportunistic TLS does not verify certificates (RFC 7435): most MX hosts present self-signed
   * or mismatched ones, and refusing them would only push the mail back to cleartext.
   */
  private static final SSLContext TRUST_ALL = trustAll();

  private static SSLContext trustAll() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      TrustManager any =
          new X509ExtendedTrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, Socket s) {}

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, Socket s) {}

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine e) {}

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine e) {}

            @Override
            public X509Certificate[] getAcceptedIssuers() {
              return new X509Certificate[0];
            }
          };
      context.init(null, new TrustManager[] {any}, null);
      return context;
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("no TLS in this JDK", e);
    }
  }
}
