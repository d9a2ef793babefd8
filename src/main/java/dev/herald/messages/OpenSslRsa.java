package dev.herald.messages;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * RSA PKCS#1 v1.5 signatures over a SHA-256 digest by OpenSSL's libcrypto 3, called through the FFM API: about four
 * times faster than the JDK's RSA on the machines measured (ADR 0007), and RSA signing is the MTA's largest cost per
 * message. The signatures are the JDK's byte for byte (PKCS#1 v1.5 is deterministic), so the JDK stays the fallback
 * where the library is missing ({@link #load}) and nothing else changes.
 *
 * <p>Lifetimes: a key is imported into libcrypto once ({@link Key}) and freed when the Java object is collected (a
 * cleanup attached to an automatic arena); each signing context is owned by one thread at a time (OpenSSL forbids
 * sharing a context, not a key) and is pooled like the JDK path's {@code Signature} objects, freed the same way.
 * Native memory is never reached after it is freed: a segment passed to a downcall keeps its arena alive for the call.
 */
final class OpenSslRsa {
  static final String LIBRARY = "libcrypto.so.3";
  private static final int EVP_PKEY_RSA = 6;
  private static final int RSA_PKCS1_PADDING = 1;
  private static final int SHA256_LENGTH = 32;

  /** Native objects alive now (keys and signing contexts): a test watches them return to zero, so nothing leaks. */
  static final AtomicLong LIVE = new AtomicLong();

  private static final Loaded SYSTEM = load(LIBRARY);

  private final String version;
  private final MethodHandle d2iAutoPrivateKey;
  private final MethodHandle pkeyGetBaseId;
  private final MethodHandle pkeyGetSize;
  private final MethodHandle pkeyFree;
  private final MethodHandle ctxNew;
  private final MethodHandle ctxFree;
  private final MethodHandle signInit;
  private final MethodHandle setPadding;
  private final MethodHandle setSignatureMd;
  private final MethodHandle sign;
  private final MemorySegment sha256;
  private final MethodHandle errGetError;

  private OpenSslRsa(SymbolLookup lib) throws Throwable {
    Linker linker = Linker.nativeLinker();
    version = ((MemorySegment) handle(linker, lib, "OpenSSL_version", FunctionDescriptor.of(ADDRESS, JAVA_INT)).invokeExact(0))
        .reinterpret(256).getString(0);
    d2iAutoPrivateKey = handle(linker, lib, "d2i_AutoPrivateKey", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, JAVA_LONG));
    pkeyGetBaseId = handle(linker, lib, "EVP_PKEY_get_base_id", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    pkeyGetSize = handle(linker, lib, "EVP_PKEY_get_size", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    pkeyFree = handle(linker, lib, "EVP_PKEY_free", FunctionDescriptor.ofVoid(ADDRESS));
    ctxNew = handle(linker, lib, "EVP_PKEY_CTX_new", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
    ctxFree = handle(linker, lib, "EVP_PKEY_CTX_free", FunctionDescriptor.ofVoid(ADDRESS));
    signInit = handle(linker, lib, "EVP_PKEY_sign_init", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    setPadding = handle(linker, lib, "EVP_PKEY_CTX_set_rsa_padding", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    setSignatureMd = handle(linker, lib, "EVP_PKEY_CTX_set_signature_md", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    sign = handle(linker, lib, "EVP_PKEY_sign", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG));
    errGetError = handle(linker, lib, "ERR_get_error", FunctionDescriptor.of(JAVA_LONG));
    sha256 = (MemorySegment) handle(linker, lib, "EVP_sha256", FunctionDescriptor.of(ADDRESS)).invokeExact();
    if (sha256.equals(MemorySegment.NULL)) throw new IllegalStateException("EVP_sha256 returned nothing");
  }

  private static MethodHandle handle(Linker linker, SymbolLookup lib, String name, FunctionDescriptor descriptor) {
    return linker.downcallHandle(lib.findOrThrow(name), descriptor);
  }

  /** A library loaded, or why not ({@code library} empty, {@code failure} says why). */
  record Loaded(Optional<OpenSslRsa> library, String failure) {}

  /** libcrypto.so.3 as the system's dynamic linker finds it, loaded once for the process. */
  static Loaded system() {
    return SYSTEM;
  }

  /** The named library, loaded for the life of the process, or why it cannot be used. */
  static Loaded load(String library) {
    try {
      return new Loaded(Optional.of(new OpenSslRsa(SymbolLookup.libraryLookup(library, Arena.global()))), "");
    } catch (Throwable e) {
      // IllegalArgumentException (no such library), NoSuchElementException (a symbol missing: not OpenSSL 3),
      // IllegalCallerException (native access denied by --illegal-native-access=deny).
      return new Loaded(Optional.empty(), library + ": " + e);
    }
  }

  /** What the library says it is, e.g. "OpenSSL 3.0.17 1 Jul 2025". */
  String version() {
    return version;
  }

  /** Imports a PKCS#8 (or traditional) DER RSA private key; empty when libcrypto does not take it. */
  Optional<Key> importKey(byte[] der) {
    try (Arena call = Arena.ofConfined()) {
      MemorySegment data = call.allocateFrom(JAVA_BYTE, der);
      MemorySegment cursor = call.allocateFrom(ADDRESS, data);
      MemorySegment pkey = (MemorySegment) d2iAutoPrivateKey.invokeExact(MemorySegment.NULL, cursor, (long) der.length);
      if (pkey.equals(MemorySegment.NULL)) return Optional.empty();
      LIVE.incrementAndGet();
      MemorySegment owned = owned(pkey, pkeyFree);
      if ((int) pkeyGetBaseId.invokeExact(owned) != EVP_PKEY_RSA) return Optional.empty();
      return Optional.of(new Key(owned, (int) pkeyGetSize.invokeExact(owned)));
    } catch (Throwable e) {
      throw new IllegalStateException("libcrypto failed to import an RSA key", e);
    }
  }

  /**
   * The pointer as a segment of an automatic arena whose cleanup frees it with {@code free}, once neither Herald nor a
   * running downcall can reach it. The cleanup captures only the handle and the address, never the segment.
   */
  private static MemorySegment owned(MemorySegment pointer, MethodHandle free) {
    return pointer.reinterpret(Arena.ofAuto(), p -> {
      try {
        free.invokeExact(p);
        LIVE.decrementAndGet();
      } catch (Throwable e) {
        throw new IllegalStateException("libcrypto free failed", e);
      }
    });
  }

  /** One imported key; thread-safe (each signature takes an idle context or makes one). */
  final class Key {
    private final MemorySegment pkey;
    private final int size;
    private final ConcurrentLinkedQueue<Context> idle = new ConcurrentLinkedQueue<>();

    private Key(MemorySegment pkey, int size) {
      this.pkey = pkey;
      this.size = size;
    }

    /** The PKCS#1 v1.5 signature of a SHA-256 {@code digest} (the DigestInfo is added by libcrypto). */
    byte[] signSha256(byte[] digest) {
      if (digest.length != SHA256_LENGTH) throw new IllegalArgumentException("a SHA-256 digest has 32 bytes");
      Context context = idle.poll();
      if (context == null) context = new Context();
      MemorySegment.copy(digest, 0, context.digest, JAVA_BYTE, 0, SHA256_LENGTH);
      context.length.set(JAVA_LONG, 0, context.signature.byteSize());
      int result;
      try {
        result = (int) sign.invokeExact(context.ctx, context.signature, context.length, context.digest, (long) SHA256_LENGTH);
      } catch (Throwable e) {
        throw new IllegalStateException("EVP_PKEY_sign failed", e);
      }
      // A context that failed is dropped (freed when collected), not offered to the next message.
      if (result != 1) throw new IllegalStateException("EVP_PKEY_sign failed: " + error());
      byte[] signature = context.signature.asSlice(0, context.length.get(JAVA_LONG, 0)).toArray(JAVA_BYTE);
      idle.offer(context);
      return signature;
    }

    /**
     * A signing context with its own buffers: set up once (sign_init, PKCS#1 padding, SHA-256) and used for many
     * signatures, as EVP_PKEY_sign allows on the same context with the same parameters. It holds a reference of its
     * own on the key inside libcrypto, so it may outlive {@link #pkey}'s segment.
     */
    private final class Context {
      private final MemorySegment ctx;
      private final MemorySegment digest;
      private final MemorySegment signature;
      private final MemorySegment length;

      Context() {
        try {
          MemorySegment raw = (MemorySegment) ctxNew.invokeExact(pkey, MemorySegment.NULL);
          if (raw.equals(MemorySegment.NULL)) throw new IllegalStateException("EVP_PKEY_CTX_new failed: " + error());
          LIVE.incrementAndGet();
          ctx = owned(raw, ctxFree);
          if ((int) signInit.invokeExact(ctx) != 1 || (int) setPadding.invokeExact(ctx, RSA_PKCS1_PADDING) != 1
              || (int) setSignatureMd.invokeExact(ctx, sha256) != 1) {
            throw new IllegalStateException("setting up RSA-SHA256 signing failed: " + error());
          }
        } catch (RuntimeException e) {
          throw e;
        } catch (Throwable e) {
          throw new IllegalStateException("setting up RSA-SHA256 signing failed", e);
        }
        Arena buffers = Arena.ofAuto();
        digest = buffers.allocate(SHA256_LENGTH);
        signature = buffers.allocate(size);
        length = buffers.allocate(JAVA_LONG);
      }
    }
  }

  /** The first error on this thread's OpenSSL error queue (a virtual thread may have moved carriers: best effort). */
  private String error() {
    try {
      return "error 0x" + Long.toHexString((long) errGetError.invokeExact());
    } catch (Throwable e) {
      return "(no error code)";
    }
  }
}
