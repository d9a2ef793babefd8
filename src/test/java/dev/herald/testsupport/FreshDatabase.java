package dev.herald.testsupport;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.MergedContextConfiguration;

/**
 * Gives every Spring test class its own application context on its own, freshly created database
 * (migrated by Flyway at start), so no test sees another's rows. Registered in META-INF/spring.factories.
 */
public record FreshDatabase(Class<?> testClass) implements ContextCustomizer {

  @Override
  public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration config) {
    String url = TestPostgres.newDatabase();
    context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("herald-test-database",
        Map.of("herald.db.url", url, "herald.db.pool-size", "5",
            // session clean-up runs every 10 minutes in production; in tests it would only race shutdown
            "spring.session.jdbc.cleanup-cron", "-",
            // at JVM exit the embedded server may stop before the pools close; don't wait long for it
            "herald.db.connection-timeout", "PT1S")));
    // The data directory (where secret.keys is created) is a temporary one per class, not ./data of the
    // working copy. DNS lookups (sending domains' checks, on demand and periodic) go to an empty server on
    // loopback, never to the machine's resolver and the internet. Added last, so a test may still set
    // herald.data-dir, herald.secret-keys or herald.dns.resolvers (its own TestDns with zones) itself.
    context.getEnvironment().getPropertySources().addLast(new MapPropertySource("herald-test-data-dir",
        Map.of("herald.data-dir", TestDataDirs.create().toString(), "herald.dns.resolvers", TestDns.empty().address(),
            // Every role but delivery: the queue's worker would deliver (to the sandbox) what other tests assert queued.
            // The worker's own tests set herald.roles with delivery.
            "herald.roles", "web,smtp,worker")));
  }

  // equals/hashCode by test class: Spring's context cache then never shares a context between classes.
  @Override
  public boolean equals(Object o) {
    return o instanceof FreshDatabase other && Objects.equals(testClass, other.testClass);
  }

  @Override
  public int hashCode() {
    return Objects.hashCode(testClass);
  }

  public static final class Factory implements ContextCustomizerFactory {
    @Override
    public ContextCustomizer createContextCustomizer(Class<?> testClass, List<ContextConfigurationAttributes> configAttributes) {
      return new FreshDatabase(testClass);
    }
  }
}
