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
 * Ed25519 signatures (RFC 8032, PureEdDSA) by OpenSSL's libcrypto 3, called through the FFM API as {@link OpenSslRsa}
 * calls it for RSA (ADR 0007): a few times faster than Bouncy Castle's, which was the largest part of signing left
 * in the MTA's profile once RSA went native. Ed25519 is deterministic, so the signatures are Bouncy Castle's byte for
 * byte and Bouncy Castle stays the fallback where the library is missing ({@link #load}).
 *
 * <p>PureEdDSA has no separate digest step, so OpenSSL 3.0 signs it only through {@code EVP_DigestSign} (one shot).
 * Since OpenSSL 3.2 a context is finalized by that call, so each signature sets its pooled context up again
 * ({@code EVP_DigestSignInit}, which resets it): cheap next to the signature, and right on every 3.x. Lifetimes and
 * threads as in {@link OpenSslRsa}: the key is freed when its Java object is collected, a context (with its buffers)
 * is used by one thread at a time and pooled per key.
 */
final class OpenSslEd25519 {
  static final String LIBRARY = OpenSslRsa.LIBRARY;
  /** NID_ED25519 = EVP_PKEY_ED25519. */
  private static final int EVP_PKEY_ED25519 = 1087;
  static final int SEED_LENGTH = 32;
  private static final int SIGNATURE_LENGTH = 64;
  /** The most a signature here signs: DKIM signs a SHA-256 digest (RFC 8463 §3), 32 bytes. */
  private static final int MAX_DATA = 64;

  /** Native objects alive now (keys and signing contexts): a test watches them return to where they were. */
  static final AtomicLong LIVE = new AtomicLong();

  private static final Loaded SYSTEM = load(LIBRARY);

  private final String version;
  private final MethodHandle newRawPrivateKey;
  private final MethodHandle pkeyFree;
  private final MethodHandle mdCtxNew;
  private final MethodHandle mdCtxFree;
  private final MethodHandle digestSignInit;
  private final MethodHandle digestSign;
  private final MethodHandle errGetError;

  private OpenSslEd25519(SymbolLookup lib) throws Throwable {
    Linker linker = Linker.nativeLinker();
    version = ((MemorySegment) handle(linker, lib, "OpenSSL_version", FunctionDescriptor.of(ADDRESS, JAVA_INT)).invokeExact(0))
        .reinterpret(256).getString(0);
    newRawPrivateKey = handle(linker, lib, "EVP_PKEY_new_raw_private_key",
        FunctionDescriptor.of(ADDRESS, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
    pkeyFree = handle(linker, lib, "EVP_PKEY_free", FunctionDescriptor.ofVoid(ADDRESS));
    mdCtxNew = handle(linker, lib, "EVP_MD_CTX_new", FunctionDescriptor.of(ADDRESS));
    mdCtxFree = handle(linker, lib, "EVP_MD_CTX_free", FunctionDescriptor.ofVoid(ADDRESS));
    digestSignInit = handle(linker, lib, "EVP_DigestSignInit",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    digestSign = handle(linker, lib, "EVP_DigestSign", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG));
    errGetError = handle(linker, lib, "ERR_get_error", FunctionDescriptor.of(JAVA_LONG));
  }

  private static MethodHandle handle(Linker linker, SymbolLookup lib, String name, FunctionDescriptor descriptor) {
    return linker.downcallHandle(lib.findOrThrow(name), descriptor);
  }

  /** A library loaded, or why not ({@code library} empty, {@code failure} says why). */
  record Loaded(Optional<OpenSslEd25519> library, String failure) {}

  /** libcrypto.so.3 as the system's dynamic linker finds it, loaded once for the process. */
  static Loaded system() {
    return SYSTEM;
  }

  /** The named library, loaded for the life of the process, or why it cannot be used. */
  static Loaded load(String library) {
    try {
      return new Loaded(Optional.of(new OpenSslEd25519(SymbolLookup.libraryLookup(library, Arena.global()))), "");
    } catch (Throwable e) {
      // As OpenSslRsa.load: no such library, a symbol missing, native access denied.
      return new Loaded(Optional.empty(), library + ": " + e);
    }
  }

  /** What the library says it is, e.g. "OpenSSL 3.0.17 1 Jul 2025". */
  String version() {
    return version;
  }

  /** Imports an Ed25519 private key from its 32-byte seed (RFC 8032's private key); empty when libcrypto refuses it. */
  Optional<Key> importKey(byte[] seed) {
    if (seed.length != SEED_LENGTH) return Optional.empty();
    try (Arena call = Arena.ofConfined()) {
      MemorySegment data = call.allocateFrom(JAVA_BYTE, seed);
      MemorySegment pkey = (MemorySegment) newRawPrivateKey.invokeExact(EVP_PKEY_ED25519, MemorySegment.NULL, data, (long) SEED_LENGTH);
      // The seed's copy in this call's memory is cleared before the arena gives it back.
      data.fill((byte) 0);
      if (pkey.equals(MemorySegment.NULL)) return Optional.empty();
      LIVE.incrementAndGet();
      return Optional.of(new Key(owned(pkey, pkeyFree)));
    } catch (Throwable e) {
      throw new IllegalStateException("libcrypto failed to import an Ed25519 key", e);
    }
  }

  /** As {@link OpenSslRsa}'s: the pointer freed by {@code free} once neither Herald nor a downcall can reach it. */
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
    private final ConcurrentLinkedQueue<Context> idle = new ConcurrentLinkedQueue<>();

    private Key(MemorySegment pkey) {
      this.pkey = pkey;
    }

    /** The 64-byte PureEdDSA signature of {@code data} (at most {@value #MAX_DATA} bytes: DKIM signs a digest). */
    byte[] sign(byte[] data) {
      if (data.length > MAX_DATA) throw new IllegalArgumentException("at most " + MAX_DATA + " bytes are signed here, not " + data.length);
      Context context = idle.poll();
      if (context == null) context = new Context();
      MemorySegment.copy(data, 0, context.data, JAVA_BYTE, 0, data.length);
      context.length.set(JAVA_LONG, 0, SIGNATURE_LENGTH);
      int result;
      try {
        result = (int) digestSignInit.invokeExact(context.ctx, MemorySegment.NULL, MemorySegment.NULL, MemorySegment.NULL, pkey);
        if (result == 1) {
          result = (int) digestSign.invokeExact(context.ctx, context.signature, context.length, context.data, (long) data.length);
        }
      } catch (Throwable e) {
        throw new IllegalStateException("EVP_DigestSign failed", e);
      }
      // A context that failed is dropped (freed when collected), not offered to the next message.
      if (result != 1 || context.length.get(JAVA_LONG, 0) != SIGNATURE_LENGTH) {
        throw new IllegalStateException("Ed25519 signing by libcrypto failed: " + error());
      }
      byte[] signature = context.signature.toArray(JAVA_BYTE);
      idle.offer(context);
      return signature;
    }

    /**
     * An {@code EVP_MD_CTX} with its own buffers. Each signature initializes it for {@link #pkey} again; the context
     * it makes holds a reference of its own on the key inside libcrypto, so it may outlive the key's segment.
     */
    private final class Context {
      private final MemorySegment ctx;
      private final MemorySegment data;
      private final MemorySegment signature;
      private final MemorySegment length;

      Context() {
        try {
          MemorySegment raw = (MemorySegment) mdCtxNew.invokeExact();
          if (raw.equals(MemorySegment.NULL)) throw new IllegalStateException("EVP_MD_CTX_new failed: " + error());
          LIVE.incrementAndGet();
          ctx = owned(raw, mdCtxFree);
        } catch (RuntimeException e) {
          throw e;
        } catch (Throwable e) {
          throw new IllegalStateException("setting up Ed25519 signing failed", e);
        }
        Arena buffers = Arena.ofAuto();
        data = buffers.allocate(MAX_DATA);
        signature = buffers.allocate(SIGNATURE_LENGTH);
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
