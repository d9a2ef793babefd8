package dev.herald.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.HeraldApplication;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.util.unit.DataSize;

/** A bad setting stops the start with a message that names it and says what is expected. */
@ExtendWith(OutputCaptureExtension.class)
class ConfigurationValidationTest {

  static Stream<Arguments> badSettings() {
    return Stream.of(
        Arguments.of("--herald.db.url=mysql://localhost/herald", "herald.db.url", "jdbc:postgresql://"),
        Arguments.of("--herald.db.pool-size=1", "herald.db.poolSize", "at least 2"),
        Arguments.of("--herald.tracking.port=70000", "herald.tracking.port", "at most 65535"),
        Arguments.of("--herald.tracking.address=tracking.example", "herald.tracking", "address must be an IP address"),
        Arguments.of("--herald.db.embedded-port=70000", "herald.db.embeddedPort", "TCP port up to 65535"),
        Arguments.of("--herald.base-url=ftp://example.com", "base-url", "http or https"),
        Arguments.of("--herald.base-url=https://example.com/", "base-url", "without a trailing slash"),
        Arguments.of("--herald.public-url=ftp://lists.example.com", "public-url", "http or https"),
        Arguments.of("--herald.roles=web,mailer", "herald.roles", "mailer"),
        Arguments.of("--herald.login.max-failures=0", "herald.login.maxFailures", "at least 1"),
        Arguments.of("--herald.login.lockout=PT5S", "lockout", "between 1 minute and 24 hours"),
        Arguments.of("--herald.imports.poll=PT0.01S", "herald.imports", "poll must be between 100 ms and 1 hour"),
        Arguments.of("--herald.imports.poll=P1D", "herald.imports", "poll must be between 100 ms and 1 hour"),
        Arguments.of("--herald.imports.poll=often", "herald.imports.poll", "often"),
        Arguments.of("--herald.imports.statement-timeout=PT0.5S", "herald.imports", "statement-timeout must be between 1 second and 24 hours"),
        Arguments.of("--herald.imports.concurrency=0", "herald.imports.concurrency", "at least 1"),
        Arguments.of("--herald.imports.concurrency=10", "imports.concurrency", "must be below db.pool-size"),
        Arguments.of("--herald.mail-limits.resets-per-account=0", "herald.mailLimits.resetsPerAccount", "at least 1"),
        Arguments.of("--herald.mail-limits.invitation-window=PT10S", "herald.mailLimits", "between 1 minute and 7 days"),
        Arguments.of("--herald.delivery.static-route=10.0.0.5:25", "herald.delivery.staticRoute", "loopback host:port"),
        Arguments.of("--herald.delivery.route=static", "herald.delivery", "route static needs static-route"),
        // sandbox and mx are the operator's stored mode now, chosen in the panel; a start with the old values says so by name
        Arguments.of("--herald.delivery.route=mx", "herald.delivery.route", "mx"),
        Arguments.of("--herald.delivery.mx-port=0", "herald.delivery.mxPort", "from 1 to 65535"),
        Arguments.of("--herald.delivery.system-sender-name=", "herald.delivery.systemSenderName", "1 to 100 characters"),
        Arguments.of("--herald.sending.spf-include=spf include.example", "herald.sending.spfInclude", "must be a host name"),
        Arguments.of("--herald.sending.check-interval=PT10S", "herald.sending", "check-interval must be between 1 minute and 7 days"),
        Arguments.of("--herald.sending.max-message-size=200MB", "herald.sending", "max-message-size must be between 1KB and 100MB"),
        Arguments.of("--herald.content.template.max-render-time=5ms", "herald.content.template", "max-render-time must be between 10 ms and 1 minute"),
        Arguments.of("--herald.content.template.max-include-depth=0", "herald.content.template.maxIncludeDepth", "from 1 to 20"),
        Arguments.of("--herald.dns.resolvers=127.0.0.1:53,not a host", "herald.dns.resolvers", "must be host or host:port"),
        Arguments.of("--herald.dns.timeout=PT0.01S", "herald.dns", "timeout must be between 100 ms and 60 seconds"),
        Arguments.of("--herald.retention.interval=PT10S", "herald.retention", "interval must be between 1 minute and 7 days"),
        Arguments.of("--herald.retention.batch=0", "herald.retention.batch", "must be from 1 to 100000"),
        Arguments.of("--herald.delivery.shaping.connection-limit=0", "herald.delivery.shaping.connectionLimit", "from 1 to 1000"),
        Arguments.of("--herald.delivery.shaping.deliveries-per-connection=0", "herald.delivery.shaping.deliveriesPerConnection",
            "from 1 to 100000"),
        Arguments.of("--herald.delivery.shaping.message-rate=100/day", "herald.delivery.shaping.messageRate", "count/s, count/min or count/h"),
        Arguments.of("--herald.delivery.shaping.backoff=0s", "herald.delivery.shaping", "backoff must be between 1 second and 1 day"),
        Arguments.of("--herald.delivery.shaping.max-backoff=10s", "herald.delivery.shaping", "max-backoff between backoff and 7 days"),
        Arguments.of("--herald.delivery.shaping.sites[0].mx-suffix=not a host", "herald.delivery.shaping.sites[0].mxSuffix",
            "an MX host suffix"),
        Arguments.of("--herald.delivery.shaping.sites[0].connection-limit=3", "herald.delivery.shaping.sites[0].mxSuffix",
            "an MX host suffix"),
        Arguments.of("--herald.delivery.shaping.sites[0].message-rate=fast", "herald.delivery.shaping.sites[0].messageRate",
            "count/s, count/min or count/h"),
        Arguments.of("--herald.delivery.retry.first=1s", "herald.delivery.retry", "first must be between 10 seconds and 1 day"),
        Arguments.of("--herald.delivery.retry.max-interval=1m", "herald.delivery.retry", "max-interval between first and 1 day"),
        Arguments.of("--herald.delivery.retry.give-up=90d", "herald.delivery.retry", "give-up longer than first and at most 30 days"),
        Arguments.of("--herald.delivery.retry.jitter-percent=80", "herald.delivery.retry.jitterPercent", "from 0 to 50"),
        Arguments.of("--herald.session-timeout=1m", "session-timeout", "between 5 minutes and 30 days"),
        Arguments.of("--herald.shutdown-timeout=0s", "shutdown-timeout", "between 1 second and 10 minutes"),
        Arguments.of("--herald.min-free-disk=-1GB", "min-free-disk", "must not be negative"),
        Arguments.of("--herald.max-import-size=2GB", "max-import-size", "between 1KB and 1GB"),
        Arguments.of("--herald.setup-link-validity=P90D", "setup-link-validity", "at most 30 days"),
        Arguments.of("--herald.secret-keys=" + SecretsTest.A_KEY, "secret-keys (HERALD_SECRET_KEYS)", "entries id:key"),
        Arguments.of("--herald.secret-keys=key a:" + SecretsTest.A_KEY, "secret-keys (HERALD_SECRET_KEYS)", "entries id:key"),
        Arguments.of("--herald.secret-keys=key-a:" + SHORT_KEY, "secret-keys (HERALD_SECRET_KEYS)", "exactly 32 bytes"),
        Arguments.of("--herald.secret-keys=" + SecretsTest.A + ",key-a:" + SecretsTest.B_KEY, "secret-keys (HERALD_SECRET_KEYS)",
            "same key id twice"));
  }

  /** A map of alternating keys and values (Map.of stops at ten pairs). */
  static Map<String, Object> pairs(String... keysAndValues) {
    Map<String, Object> map = new java.util.LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) map.put(keysAndValues[i], keysAndValues[i + 1]);
    return map;
  }

  /** 16 bytes: an AES-128 key, not the AES-256 one Herald expects. */
  static final String SHORT_KEY = "ccqL2bwgylD0aTZNN+tfYg==";

  @ParameterizedTest(name = "{0}")
  @MethodSource("badSettings")
  void a_bad_value_stops_the_start_naming_the_setting(String argument, String setting, String explanation, CapturedOutput output) {
    SpringApplication app = new SpringApplication(HeraldApplication.class);
    app.setWebApplicationType(WebApplicationType.NONE);
    assertThatThrownBy(() -> app.run(argument, "--herald.data-dir=target/never-created")).isNotNull();
    // What the operator reads: Spring Boot's failure report at the end of the log.
    String report = output.getAll().substring(output.getAll().lastIndexOf("APPLICATION FAILED TO START"));
    assertThat(report).contains(setting).contains(explanation);
  }

  @Test
  void a_bad_key_list_is_reported_without_the_keys(CapturedOutput output) {
    SpringApplication app = new SpringApplication(HeraldApplication.class);
    app.setWebApplicationType(WebApplicationType.NONE);
    assertThatThrownBy(() -> app.run("--herald.secret-keys=" + SecretsTest.A + ",key-b:" + SHORT_KEY,
        "--herald.data-dir=target/never-created")).isNotNull();
    assertThat(output.getAll()).contains("exactly 32 bytes").doesNotContain(SecretsTest.A_KEY).doesNotContain(SHORT_KEY);
  }

  /** The environment variables README.md names reach the validated settings (and so what Spring applies). */
  @Test
  void the_environment_variables_in_the_readme_bind_to_the_settings() {
    var environment = new SystemEnvironmentPropertySource(
        StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, pairs(
        "HERALD_IMPORTS_POLL", "PT5S", "HERALD_SESSION_TIMEOUT", "2h", "HERALD_SHUTDOWN_TIMEOUT", "45s",
        "HERALD_MIN_FREE_DISK", "2GB", "HERALD_MAX_IMPORT_SIZE", "512MB",
        "HERALD_IMPORTS_CONCURRENCY", "3", "HERALD_IMPORTS_STATEMENT_TIMEOUT", "PT2H",
        "HERALD_MAIL_LIMITS_INVITATIONS_PER_ORGANIZATION", "7",
        "HERALD_DELIVERY_ROUTE", "static", "HERALD_DELIVERY_STATIC_ROUTE", "127.0.0.1:2525",
        "HERALD_DNS_RESOLVERS", "127.0.0.1:5353,[::1]:53", "HERALD_SENDING_SPF_INCLUDE", "_spf.mail.example.com",
        "HERALD_SENDING_CHECK_INTERVAL", "PT1H", "HERALD_SENDING_DKIM_RSA_OPENSSL", "false",
        "HERALD_RETENTION_INTERVAL", "PT6H", "HERALD_RETENTION_BATCH", "500"));
    HeraldProperties bound = new Binder(
        ConfigurationPropertySources.from(environment))
        .bindOrCreate("herald", HeraldProperties.class);
    assertThat(bound.imports().poll()).isEqualTo(Duration.ofSeconds(5));
    assertThat(bound.imports().concurrency()).isEqualTo(3);
    assertThat(bound.imports().statementTimeout()).isEqualTo(Duration.ofHours(2));
    assertThat(bound.sessionTimeout()).isEqualTo(Duration.ofHours(2));
    assertThat(bound.shutdownTimeout()).isEqualTo(Duration.ofSeconds(45));
    assertThat(bound.minFreeDisk()).isEqualTo(DataSize.ofGigabytes(2));
    assertThat(bound.maxImportSize()).isEqualTo(DataSize.ofMegabytes(512));
    assertThat(bound.mailLimits().invitationsPerOrganization()).isEqualTo(7);
    assertThat(bound.mailLimits().resetsPerAccount()).as("the default").isEqualTo(3);
    assertThat(bound.delivery().route()).isEqualTo(HeraldProperties.Delivery.RouteKind.STATIC);
    assertThat(bound.delivery().staticRoute()).isEqualTo("127.0.0.1:2525");
    assertThat(bound.delivery().mxPort()).as("the default").isEqualTo(25);
    assertThat(bound.delivery().systemSenderName()).as("the default").isEqualTo("Herald");
    assertThat(bound.dns().resolvers()).containsExactly("127.0.0.1:5353", "[::1]:53");
    assertThat(bound.dns().timeout()).as("the default").isEqualTo(Duration.ofSeconds(5));
    assertThat(bound.sending().spfInclude()).isEqualTo("_spf.mail.example.com");
    assertThat(bound.sending().bounceHost()).as("blank: the base URL's host").isEmpty();
    assertThat(bound.sending().checkInterval()).isEqualTo(Duration.ofHours(1));
    assertThat(bound.sending().maxMessageSize()).as("the default").isEqualTo(DataSize.ofMegabytes(10));
    assertThat(bound.sending().dkimRsaOpenssl()).isFalse();
    assertThat(bound.retention().interval()).isEqualTo(Duration.ofHours(6));
    assertThat(bound.retention().batch()).isEqualTo(500);
    assertThat(new Binder(ConfigurationPropertySources.from(new SystemEnvironmentPropertySource("empty", pairs())))
        .bindOrCreate("herald", HeraldProperties.class).sending().dkimRsaOpenssl()).as("the default").isTrue();
    // application.yml hands them to Spring as ${herald.session-timeout:8h} and so on.
    assertThat(environment.getProperty("herald.session-timeout")).isEqualTo("2h");
    assertThat(environment.getProperty("herald.max-import-size")).isEqualTo("512MB");
  }
}
