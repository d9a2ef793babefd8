package dev.herald.platform;

/**
 * The master keys do not fit: a broken key list or key file, or a stored secret under a key the ring
 * does not hold. Its message names the setting and the key id, never a key. At start,
 * {@link SecretKeysFailureAnalyzer} turns it into Spring Boot's short failure report.
 */
final class SecretKeysException extends IllegalStateException {
  SecretKeysException(String message) {
    super(message);
  }
}
