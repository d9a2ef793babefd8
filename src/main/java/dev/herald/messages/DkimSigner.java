package dev.herald.messages;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * Signs messages with DKIM (RFC 6376), relaxed/relaxed, with one or more keys: RSA-SHA256 and
 * Ed25519-SHA256 (RFC 8463) side by side, since large receivers are reported not to verify Ed25519 yet.
 *
 * <p>Written here rather than taken from a library because none signs both algorithms correctly (measured,
 * ../shared/reference/sending-core.md §2.1): utils-mail-dkim cannot sign Ed25519 since 3.2.1 ("Unknown signing algorithm
 * NONEwithEdDSA") and its simple header canonicalization produced invalid signatures, as it works from
 * Jakarta's parsed header values instead of the bytes; Apache jDKIM signs RSA only. Signing the wire bytes
 * (CRLF) ourselves means what is signed is exactly what is sent. Every shape is verified in the tests by
 * Debian's python3-dkim.
 *
 * <p>No {@code l=} (a body length lets anyone append content), {@code t=} from the clock, and a fixed list
 * of signed fields, each as often as it occurs, with From listed once more than it occurs so that no From
 * can be added after signing. RSA signing costs about a millisecond of CPU, the MTA's largest per-message
 * cost: the parsed keys and initialized {@link Signature} objects are reused (a pool, not a ThreadLocal,
 * because the MTA runs on virtual threads, which come and go), and the body hash is computed once for all
 * keys. RSA signatures are made by OpenSSL's libcrypto when it loads ({@link OpenSslRsa}: about four times faster,
 * the same bytes, ADR 0007) and by the JDK otherwise or when asked to. Thread-safe.
 */
public final class DkimSigner {
  /** The fields signed when present: the ones receivers and RFC 8058 expect covered, and the MIME structure. */
  static final List<String> SIGNED_FIELDS = List.of("From", "To", "Cc", "Subject", "Date", "Message-ID", "Reply-To",
      "List-Unsubscribe", "List-Unsubscribe-Post", "MIME-Version", "Content-Type", "Content-Transfer-Encoding", "Feedback-ID");
  private static final int LINE = 78;

  private final List<KeySigner> keys;
  private final Clock clock;

  /** A signer whose RSA keys sign with OpenSSL when it loads, with the JDK otherwise. */
  public DkimSigner(List<DkimKey> keys, Clock clock) {
    this(keys, clock, true);
  }

  /** {@code openSsl} false: RSA keys sign with the JDK even where OpenSSL's libcrypto would load. */
  public DkimSigner(List<DkimKey> keys, Clock clock, boolean openSsl) {
    this(keys, clock, openSsl ? OpenSslRsa.system().library() : Optional.empty());
  }

  DkimSigner(List<DkimKey> keys, Clock clock, Optional<OpenSslRsa> openSsl) {
    if (keys == null || keys.isEmpty()) throw new IllegalArgumentException("a DKIM signer needs at least one key");
    this.keys = keys.stream().map(key -> new KeySigner(key, openSsl)).toList();
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * What makes RSA signatures with {@code openSsl} asked for (or not): for the log at start, so an operator sees
   * whether the fast path is in use and, if not, why.
   */
  public static String rsaImplementation(boolean openSsl) {
    if (!openSsl) return "the JDK (herald.sending.dkim-rsa-openssl is false)";
    OpenSslRsa.Loaded loaded = OpenSslRsa.system();
    return loaded.library().map(lib -> lib.version() + " (" + OpenSslRsa.LIBRARY + " through the FFM API)")
        .orElse("the JDK (OpenSSL's libcrypto not usable: " + loaded.failure() + ")");
  }

  /** Whether every RSA key of this signer signs through OpenSSL (tests). */
  boolean rsaByOpenSsl() {
    return keys.stream().filter(k -> k.key.algorithm() == DkimKey.Algorithm.RSA_SHA256).allMatch(k -> k.openSsl != null);
  }

  /** The message with its DKIM-Signature fields in front. */
  public byte[] sign(byte[] message) {
    byte[] fields = signatureFields(message).getBytes(StandardCharsets.US_ASCII);
    byte[] signed = new byte[fields.length + message.length];
    System.arraycopy(fields, 0, signed, 0, fields.length);
    System.arraycopy(message, 0, signed, fields.length, message.length);
    return signed;
  }

  /**
   * One folded DKIM-Signature field per key, in the order of the keys, each ending with CRLF, to put in
   * front of {@code message} (wire bytes with CRLF line ends; a bare CR or LF is refused).
   */
  public String signatureFields(byte[] message) {
    DkimCanonical.Split split = DkimCanonical.split(message);
    String bodyHash = Base64.getEncoder().encodeToString(DkimCanonical.bodyHash(message, split.bodyStart(), sha256()));
    List<String> names = signedNames(split.fields());
    byte[] headerData = headerData(split.fields(), names);
    long now = clock.instant().getEpochSecond();
    StringBuilder out = new StringBuilder();
    for (KeySigner key : keys) {
      String unsigned = unsignedField(key.key, now, names, bodyHash);
      byte[] ownField = DkimCanonical.header(unsigned).getBytes(StandardCharsets.ISO_8859_1);
      byte[] data = new byte[headerData.length + ownField.length - 2];
      System.arraycopy(headerData, 0, data, 0, headerData.length);
      // The DKIM-Signature field itself is signed without its trailing CRLF (RFC 6376 §3.7).
      System.arraycopy(ownField, 0, data, headerData.length, ownField.length - 2);
      out.append(withSignature(unsigned, Base64.getEncoder().encodeToString(key.sign(data)))).append("\r\n");
    }
    return out.toString();
  }

  /** The {@code h=} list: each signed field once per occurrence, From once more (RFC 6376 §8.15). */
  static List<String> signedNames(List<DkimCanonical.Field> fields) {
    Map<String, Integer> counts = new HashMap<>();
    for (DkimCanonical.Field field : fields) counts.merge(field.lowerName(), 1, Integer::sum);
    if (!counts.containsKey("from")) throw new IllegalArgumentException("a message without a From field cannot be DKIM-signed");
    List<String> names = new ArrayList<>();
    for (String name : SIGNED_FIELDS) {
      String lower = DkimCanonical.asciiLower(name);
      int times = counts.getOrDefault(lower, 0) + (lower.equals("from") ? 1 : 0);
      for (int i = 0; i < times; i++) names.add(lower);
    }
    return names;
  }

  /**
   * The canonicalized fields named by {@code h=}, in its order; a name that occurs several times takes its
   * instances from the bottom up, and a name with none left adds nothing (RFC 6376 §5.4.2).
   */
  static byte[] headerData(List<DkimCanonical.Field> fields, List<String> names) {
    Map<String, Integer> used = new HashMap<>();
    StringBuilder data = new StringBuilder();
    for (String name : names) {
      int skip = used.merge(name, 1, Integer::sum) - 1;
      for (int i = fields.size() - 1; i >= 0; i--) {
        if (!fields.get(i).lowerName().equals(name)) continue;
        if (skip-- == 0) {
          data.append(DkimCanonical.header(fields.get(i).raw()));
          break;
        }
      }
    }
    return data.toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  /** The field up to an empty {@code b=}, folded before tags (and inside {@code h=} after a colon) to short lines. */
  static String unsignedField(DkimKey key, long time, List<String> names, String bodyHash) {
    Folder folder = new Folder("DKIM-Signature:");
    folder.add(" v=1;");
    folder.add(" a=" + key.algorithm().tag() + ";");
    folder.add(" c=relaxed/relaxed;");
    folder.add(" d=" + key.domain() + ";");
    folder.add(" s=" + key.selector() + ";");
    folder.add(" t=" + time + ";");
    for (int i = 0; i < names.size(); i++) {
      folder.add((i == 0 ? " h=" : "") + names.get(i) + (i == names.size() - 1 ? ";" : ":"));
    }
    folder.add(" bh=" + bodyHash + ";");
    folder.add(" b=");
    return folder.text();
  }

  /** The signature appended after {@code b=}: folding inside it is ignored by verifiers (RFC 6376 §3.5). */
  static String withSignature(String unsigned, String signature) {
    StringBuilder out = new StringBuilder(unsigned);
    int lineLength = unsigned.length() - unsigned.lastIndexOf('\n') - 1;
    int pos = 0;
    while (pos < signature.length()) {
      int room = LINE - lineLength;
      if (room < 8) {
        out.append("\r\n\t");
        lineLength = 1;
        continue;
      }
      int end = Math.min(signature.length(), pos + room);
      out.append(signature, pos, end);
      lineLength += end - pos;
      pos = end;
    }
    return out.toString();
  }

  private static final class Folder {
    private final StringBuilder text;
    private int lineLength;

    Folder(String start) {
      text = new StringBuilder(start);
      lineLength = start.length();
    }

    /** A piece that starts with a space is a tag and may go on a new line; the others follow h='s colons. */
    void add(String piece) {
      if (lineLength + piece.length() > LINE) {
        text.append("\r\n\t");
        piece = piece.startsWith(" ") ? piece.substring(1) : piece;
        lineLength = 1;
      }
      text.append(piece);
      lineLength += piece.length();
    }

    String text() {
      return text.toString();
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  /** One key, parsed (or imported into libcrypto) once, with reusable signing state. */
  private static final class KeySigner {
    private final DkimKey key;
    private final PrivateKey rsa;
    private final OpenSslRsa.Key openSsl;
    private final Ed25519PrivateKeyParameters ed25519;
    private final ConcurrentLinkedQueue<Signature> idle = new ConcurrentLinkedQueue<>();

    KeySigner(DkimKey key, Optional<OpenSslRsa> library) {
      this.key = key;
      boolean isRsa = key.algorithm() == DkimKey.Algorithm.RSA_SHA256;
      // DkimKey has checked the key with the JDK already; a key libcrypto would not take stays with the JDK.
      this.openSsl = isRsa ? library.flatMap(lib -> lib.importKey(key.privateKey())).orElse(null) : null;
      this.rsa = isRsa && openSsl == null ? key.rsaPrivateKey() : null;
      this.ed25519 = key.algorithm() == DkimKey.Algorithm.ED25519_SHA256 ? key.ed25519PrivateKey() : null;
    }

    byte[] sign(byte[] data) {
      if (openSsl != null) return openSsl.signSha256(sha256().digest(data));
      return rsa != null ? signRsa(data) : signEd25519(data);
    }

    private byte[] signRsa(byte[] data) {
      Signature signature = idle.poll();
      try {
        if (signature == null) {
          signature = Signature.getInstance("SHA256withRSA");
          signature.initSign(rsa);
        }
        signature.update(data);
        byte[] result = signature.sign();
        // sign() leaves the object initialized for the same key, ready for the next message.
        idle.offer(signature);
        return result;
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("RSA signing failed for " + key, e);
      }
    }

    /** RFC 8463 §3: PureEdDSA over the SHA-256 of the data, not over the data. */
    private byte[] signEd25519(byte[] data) {
      byte[] signature = new byte[Ed25519PrivateKeyParameters.SIGNATURE_SIZE];
      byte[] digest = sha256().digest(data);
      ed25519.sign(Ed25519.Algorithm.Ed25519, null, digest, 0, digest.length, signature, 0);
      return signature;
    }
  }
}
