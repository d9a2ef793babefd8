package dev.herald.platform;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports a key problem at start like a bad setting ("APPLICATION FAILED TO START", what and what to do)
 * instead of a page of nested bean-creation errors. Registered in META-INF/spring.factories.
 */
class SecretKeysFailureAnalyzer extends AbstractFailureAnalyzer<SecretKeysException> {
  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, SecretKeysException cause) {
    return new FailureAnalysis(cause.getMessage(),
        "Correct HERALD_SECRET_KEYS, or the key file <data-dir>/secret.keys when it is not set "
            + "(README.md, \"Secrets and key rotation\").", cause);
  }
}
