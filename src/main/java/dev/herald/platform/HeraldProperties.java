package dev.herald.platform;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.springframework.util.unit.DataSize;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Every Herald setting, bound once at start from {@code herald.*} properties or {@code HERALD_*}
 * environment variables, validated (a bad value stops the start with a message naming it), then
 * immutable: records have no setters. README.md lists each one.
 */
@Validated
@ConfigurationProperties("herald")
public record HeraldProperties(
    @NotNull @DefaultValue("./data") Path dataDir,
    @Valid @NotNull @DefaultValue Db db,
    @NotEmpty @DefaultValue({"web", "smtp", "delivery", "worker"}) Set<NodeRole> roles,
    @NotNull @DefaultValue("http://localhost:8080") URI baseUrl,
    @NotNull @DefaultValue("") URI publicUrl,
    @Valid @NotNull @DefaultValue Login login,
    @NotNull @DefaultValue("PT24H") Duration setupLinkValidity,
    @NotNull @DefaultValue("P7D") Duration invitationValidity,
    @NotNull @DefaultValue("PT1H") Duration passwordResetValidity,
    @NotNull @DefaultValue("") String secretKeys,
    @Valid @NotNull @DefaultValue Imports imports,
    @Valid @NotNull @DefaultValue MailLimits mailLimits,
    @Valid @NotNull @DefaultValue Sending sending,
    @Valid @NotNull @DefaultValue Dns dns,
    @Valid @NotNull @DefaultValue Delivery delivery,
    @Valid @NotNull @DefaultValue Content content,
    @Valid @NotNull @DefaultValue Campaigns campaigns,
    @Valid @NotNull @DefaultValue Tracking tracking,
    @Valid @NotNull @DefaultValue Feedback feedback,
    @Valid @NotNull @DefaultValue Retention retention,
    @Valid @NotNull @DefaultValue Reports reports,
    // Settings Spring applies (application.yml reads them as ${herald.…}), declared here so they are checked too.
    @NotNull @DefaultValue("8h") Duration sessionTimeout,
    @NotNull @DefaultValue("30s") Duration shutdownTimeout,
    @NotNull @DefaultValue("1GB") DataSize minFreeDisk,
    @NotNull @DefaultValue("256MB") DataSize maxImportSize) {

  /**
   * Content: the template language's sandbox ({@code dev.herald.content.TemplateEngine}) and the media library's limits
   * ({@code dev.herald.content.MediaLibrary}).
   */
  public record Content(@Valid @NotNull @DefaultValue TemplateLanguage template, @Valid @NotNull @DefaultValue Media media) {

    /**
     * Bounds of one template: its source size, how deep includes may nest, and per render (one recipient) its time,
     * its output size (also the most any one filter, capture or block may build) and its loop iterations in total.
     */
    public record TemplateLanguage(
        @NotNull @DefaultValue("1s") Duration maxRenderTime,
        @NotNull @DefaultValue("1MB") DataSize maxOutputSize,
        @Min(value = 1, message = "must be from 1 to 20") @Max(value = 20, message = "must be from 1 to 20")
            @DefaultValue("5") int maxIncludeDepth,
        @NotNull @DefaultValue("512KB") DataSize maxTemplateSize,
        @Min(value = 1, message = "must be from 1 to 10000000") @Max(value = 10_000_000, message = "must be from 1 to 10000000")
            @DefaultValue("10000") int maxLoopIterations) {

      @AssertTrue(message = "max-render-time must be between 10 ms and 1 minute")
      public boolean isMaxRenderTimeSensible() {
        return maxRenderTime != null && maxRenderTime.toMillis() >= 10 && maxRenderTime.toSeconds() <= 60;
      }

      @AssertTrue(message = "max-output-size must be between 1KB and 64MB, max-template-size between 1KB and 16MB")
      public boolean isSizesSensible() {
        return maxOutputSize != null && maxOutputSize.toBytes() >= 1024 && maxOutputSize.toMegabytes() <= 64
            && maxTemplateSize != null && maxTemplateSize.toBytes() >= 1024 && maxTemplateSize.toMegabytes() <= 16;
      }
    }

    /**
     * Images of the media library: the largest one file may be, and the most an organization may keep in all (each
     * image is stored in PostgreSQL and sent with every mail that shows it, so both are kept modest).
     */
    public record Media(
        @NotNull @DefaultValue("5MB") DataSize maxBytes,
        @NotNull @DefaultValue("500MB") DataSize maxTotalBytes) {

      @AssertTrue(message = "max-bytes must be between 1KB and 100MB, and max-total-bytes between max-bytes and 1TB")
      public boolean isMediaLimitsSensible() {
        return maxBytes != null && maxTotalBytes != null && maxBytes.toBytes() >= 1024
            && maxBytes.toBytes() <= DataSize.ofMegabytes(100).toBytes()
            && maxTotalBytes.toBytes() >= maxBytes.toBytes() && maxTotalBytes.toBytes() <= DataSize.ofTerabytes(1).toBytes();
      }
    }
  }

  /** Database: embedded PostgreSQL under {@code dataDir/postgres} unless {@code url} is set. */
  public record Db(
      @Pattern(regexp = "^$|^jdbc:postgresql://.+", message = "must be a jdbc:postgresql:// URL, e.g. jdbc:postgresql://db.example:5432/herald")
          @DefaultValue("") String url,
      @DefaultValue("") String username,
      @DefaultValue("") String password,
      @Min(value = 0, message = "must be 0 (pick a free port) or a TCP port up to 65535") @Max(value = 65535, message = "must be 0 (pick a free port) or a TCP port up to 65535") @DefaultValue("0") int embeddedPort,
      @Min(value = 2, message = "must be at least 2 connections") @Max(500) @DefaultValue("10") int poolSize,
      @NotNull @DefaultValue("PT10S") Duration connectionTimeout) {

    public boolean embedded() {
      return url.isBlank();
    }

    /** Never prints the password. */
    @Override
    public String toString() {
      return "Db[url=" + url + ", username=" + username + ", password=" + (password == null || password.isEmpty() ? "" : "(hidden)")
          + ", embeddedPort=" + embeddedPort + ", poolSize=" + poolSize + ", connectionTimeout=" + connectionTimeout + "]";
    }

    @AssertTrue(message = "connection-timeout must be between 250 ms and 5 minutes")
    public boolean isConnectionTimeoutSensible() {
      return connectionTimeout != null && connectionTimeout.toMillis() >= 250 && connectionTimeout.toMinutes() <= 5;
    }
  }

  /** Sign-in protection: per-account lockout and per-address rate limit, both counted in PostgreSQL. */
  public record Login(
      @Min(value = 1, message = "must be at least 1") @Max(100) @DefaultValue("5") int maxFailures,
      @NotNull @DefaultValue("PT15M") Duration lockout,
      @Min(value = 1, message = "must be at least 1") @Max(10000) @DefaultValue("20") int maxFailuresPerAddress,
      @NotNull @DefaultValue("PT15M") Duration addressWindow) {

    @AssertTrue(message = "lockout must be between 1 minute and 24 hours")
    public boolean isLockoutSensible() {
      return lockout != null && lockout.compareTo(Duration.ofMinutes(1)) >= 0 && lockout.compareTo(Duration.ofHours(24)) <= 0;
    }
  }

  /**
   * Mails a stranger or a new account can make Herald send, limited in a sliding window (counted in
   * PostgreSQL, so the limits hold across nodes): password resets per account and per requesting IP address,
   * invitations per inviting account, per invited address and per organization.
   */
  public record MailLimits(
      @Min(value = 1, message = "must be at least 1") @Max(1000) @DefaultValue("3") int resetsPerAccount,
      @Min(value = 1, message = "must be at least 1") @Max(100000) @DefaultValue("10") int resetsPerAddress,
      @NotNull @DefaultValue("PT1H") Duration resetWindow,
      @Min(value = 1, message = "must be at least 1") @Max(100000) @DefaultValue("10") int invitationsPerAccount,
      @Min(value = 1, message = "must be at least 1") @Max(1000) @DefaultValue("3") int invitationsPerAddress,
      @Min(value = 1, message = "must be at least 1") @Max(100000) @DefaultValue("20") int invitationsPerOrganization,
      @NotNull @DefaultValue("PT24H") Duration invitationWindow) {

    @AssertTrue(message = "reset-window and invitation-window must be between 1 minute and 7 days")
    public boolean isWindowsSensible() {
      for (Duration d : new Duration[] {resetWindow, invitationWindow}) {
        if (d == null || d.compareTo(Duration.ofMinutes(1)) < 0 || d.compareTo(Duration.ofDays(7)) > 0) return false;
      }
      return true;
    }
  }

  /**
   * The retention engine (dev.herald.privacy.RetentionEngine): on worker nodes a run starts every {@code interval} and
   * purges what the personal-data map holds past its schedule, {@code batch} rows per transaction.
   */
  public record Retention(
      @NotNull @DefaultValue("PT1H") Duration interval,
      @Min(value = 1, message = "must be from 1 to 100000") @Max(value = 100_000, message = "must be from 1 to 100000")
          @DefaultValue("1000") int batch) {

    @AssertTrue(message = "interval must be between 1 minute and 7 days")
    public boolean isIntervalSensible() {
      return between(interval, Duration.ofMinutes(1), Duration.ofDays(7));
    }
  }

  /**
   * Subscriber imports: how often worker nodes look for queued jobs, how many a node runs at once, and how
   * long one statement of a job may run before the job fails (a plan gone wrong ends the job, not the worker).
   */
  public record Imports(
      @NotNull @DefaultValue("PT1S") Duration poll,
      @Min(value = 1, message = "must be at least 1") @Max(value = 16, message = "must be at most 16") @DefaultValue("2") int concurrency,
      @NotNull @DefaultValue("PT30M") Duration statementTimeout) {

    @AssertTrue(message = "poll must be between 100 ms and 1 hour")
    public boolean isPollSensible() {
      return poll != null && poll.toMillis() >= 100 && poll.compareTo(Duration.ofHours(1)) <= 0;
    }

    @AssertTrue(message = "statement-timeout must be between 1 second and 24 hours")
    public boolean isStatementTimeoutSensible() {
      return between(statementTimeout, Duration.ofSeconds(1), Duration.ofHours(24));
    }
  }

  /**
   * Campaign sends on worker nodes: every {@code poll} a node starts the scheduled campaigns that are due and claims
   * campaigns to hand off, up to {@code concurrency} at once, each handing its ledger to the queue {@code chunk}
   * recipients per transaction.
   */
  public record Campaigns(
      @NotNull @DefaultValue("PT1S") Duration poll,
      @Min(value = 1, message = "must be at least 1") @Max(value = 16, message = "must be at most 16") @DefaultValue("2") int concurrency,
      @Min(value = 10, message = "must be at least 10") @Max(value = 50000, message = "must be at most 50000") @DefaultValue("2000") int chunk) {

    @AssertTrue(message = "poll must be between 100 ms and 1 minute")
    public boolean isPollSensible() {
      return poll != null && poll.toMillis() >= 100 && poll.compareTo(Duration.ofMinutes(1)) <= 0;
    }
  }

  /**
   * Opens and clicks (dev.herald.tracking): the endpoints answer at once and put each event in a buffer of
   * {@code buffer} events (full: 503 until the database catches up), written every {@code flush} in batches of up to
   * {@code batch}. A click within {@code scanner-window} of the message's delivery is a security scanner's, not a
   * person's.
   */
  /**
   * Reports ({@code dev.herald.reports}): a campaign of more than {@code liveUpTo} recipients is read from a snapshot
   * of its report, which a worker node refreshes when it is read and older than {@code snapshotAge}; smaller campaigns
   * are read live. bench/reports.sh measured why (issue 12).
   */
  public record Reports(
      @Min(value = 0, message = "must be from 0 to 100000000") @Max(value = 100_000_000, message = "must be from 0 to 100000000")
          @DefaultValue("50000") int liveUpTo,
      @NotNull @DefaultValue("5m") Duration snapshotAge) {

    @AssertTrue(message = "snapshot-age must be between 10 seconds and 1 day")
    public boolean isSnapshotAgeSensible() {
      return between(snapshotAge, Duration.ofSeconds(10), Duration.ofDays(1));
    }
  }

  public record Tracking(
      @Min(value = 100, message = "must be from 100 to 10000000") @Max(value = 10_000_000, message = "must be from 100 to 10000000")
          @DefaultValue("100000") int buffer,
      @Min(value = 1, message = "must be from 1 to 10000") @Max(value = 10_000, message = "must be from 1 to 10000")
          @DefaultValue("1000") int batch,
      @NotNull @DefaultValue("200ms") Duration flush,
      @NotNull @DefaultValue("10s") Duration scannerWindow,
      @Min(value = 0, message = "must be 0 (off) or a port") @Max(value = 65535, message = "must be at most 65535") @DefaultValue("0") int port,
      @NotNull @DefaultValue("0.0.0.0") String address) {

    @AssertTrue(message = "flush must be between 10 ms and 10 seconds, scanner-window between 0 and 10 minutes")
    public boolean isTimingSensible() {
      return between(flush, Duration.ofMillis(10), Duration.ofSeconds(10)) && between(scannerWindow, Duration.ZERO, Duration.ofMinutes(10));
    }

    /**
     * The tracking listener's address is an IP address (0.0.0.0 or :: for all, 127.0.0.1 behind a proxy on the same
     * machine), never a name: a name would be looked up in DNS at start.
     */
    @AssertTrue(message = "address must be an IP address such as 0.0.0.0, :: or 127.0.0.1")
    public boolean isAddressAnIpAddress() {
      return address == null || ipLiteral(address);
    }
  }

  /** An IPv4 dotted quad or an IPv6 literal (without brackets), checked without any DNS look-up. */
  static boolean ipLiteral(String text) {
    if (text.isEmpty() || !text.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':')) return false;
    if (text.indexOf(':') < 0) {
      String[] parts = text.split("\\.", -1);
      if (parts.length != 4) return false;
      for (String part : parts) {
        if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit) || Integer.parseInt(part) > 255) return false;
      }
      return true;
    }
    try {
      java.net.InetAddress.ofLiteral(text);
      return true;
    } catch (IllegalArgumentException notAnAddress) {
      return false;
    }
  }

  /**
   * Feedback ({@code dev.herald.feedback}): the inbound SMTP listener for the bounce subdomains (on nodes with the
   * {@code smtp} role, when {@code inbound-port} is set: 0, the default, is off, since the bounce subdomains' MX must
   * point at it first), the soft-bounce rule, the polling of mailbox monitors (on
   * worker nodes), and sender protection: an organization whose complaint or hard-bounce rate over {@code
   * protection-window} passes a warn threshold alerts the operator, past a pause threshold its sending is paused; no
   * judgement below {@code protection-minimum-sent} messages in the window. Rates are fractions (0.001 = 0.1 %).
   */
  public record Feedback(
      @Min(value = 0, message = "must be 0 (off) or a port") @Max(value = 65535, message = "must be at most 65535") @DefaultValue("0") int inboundPort,
      @NotNull @DefaultValue("0.0.0.0") String inboundBind,
      @NotNull @DefaultValue("10MB") DataSize inboundMaxMessageSize,
      @Min(value = 1, message = "must be at least 1") @Max(value = 10000, message = "must be at most 10000") @DefaultValue("200") int inboundMaxConnections,
      @Min(value = 1, message = "must be at least 1") @Max(value = 100, message = "must be at most 100") @DefaultValue("3") int softBounceLimit,
      @NotNull @DefaultValue("P7D") Duration softBounceWindow,
      @NotNull @DefaultValue("PT5M") Duration mailboxPoll,
      @Min(value = 1, message = "must be at least 1") @Max(value = 10000, message = "must be at most 10000") @DefaultValue("200") int mailboxBatch,
      @NotNull @DefaultValue("PT30S") Duration mailboxTimeout,
      @NotNull @DefaultValue("P7D") Duration protectionWindow,
      @Min(value = 1, message = "must be at least 1") @DefaultValue("1000") long protectionMinimumSent,
      @DefaultValue("0.001") double complaintWarn,
      @DefaultValue("0.003") double complaintPause,
      @DefaultValue("0.02") double hardBounceWarn,
      @DefaultValue("0.05") double hardBouncePause) {

    @AssertTrue(message = "soft-bounce-window must be between 1 hour and 90 days")
    public boolean isSoftBounceWindowSensible() {
      return between(softBounceWindow, Duration.ofHours(1), Duration.ofDays(90));
    }

    @AssertTrue(message = "mailbox-poll must be between 10 seconds and 1 day")
    public boolean isMailboxPollSensible() {
      return between(mailboxPoll, Duration.ofSeconds(10), Duration.ofDays(1));
    }

    @AssertTrue(message = "mailbox-timeout must be between 1 second and 10 minutes")
    public boolean isMailboxTimeoutSensible() {
      return between(mailboxTimeout, Duration.ofSeconds(1), Duration.ofMinutes(10));
    }

    @AssertTrue(message = "protection-window must be between 1 hour and 90 days")
    public boolean isProtectionWindowSensible() {
      return between(protectionWindow, Duration.ofHours(1), Duration.ofDays(90));
    }

    @AssertTrue(message = "complaint-warn and complaint-pause must be rates between 0 and 1, warn at most pause")
    public boolean isComplaintThresholdsSensible() {
      return complaintWarn > 0 && complaintPause <= 1 && complaintWarn <= complaintPause;
    }

    @AssertTrue(message = "hard-bounce-warn and hard-bounce-pause must be rates between 0 and 1, warn at most pause")
    public boolean isHardBounceThresholdsSensible() {
      return hardBounceWarn > 0 && hardBouncePause <= 1 && hardBounceWarn <= hardBouncePause;
    }

    @AssertTrue(message = "inbound-max-message-size must be between 64KB and 100MB")
    public boolean isInboundMaxMessageSizeSensible() {
      return inboundMaxMessageSize != null && inboundMaxMessageSize.toKilobytes() >= 64 && inboundMaxMessageSize.toMegabytes() <= 100;
    }
  }

  /**
   * What sending domains are told to publish, and how often their records are checked again. A blank host is the
   * base URL's host ({@code _spf.<host>} for the SPF include): right for a one-machine installation, where the
   * panel, the bounce mailbox and the tracking pages share one name. {@code dkim-rsa-openssl}: RSA DKIM signatures are
   * made by OpenSSL's libcrypto when it loads (about four times faster, the same bytes; ADR 0007), false forces the JDK.
   */
  public record Sending(
      @Pattern(regexp = HOST_OR_BLANK, message = "must be a host name, e.g. _spf.mail.example.com") @DefaultValue("") String spfInclude,
      @Pattern(regexp = HOST_OR_BLANK, message = "must be a host name, e.g. bounces.mail.example.com") @DefaultValue("") String bounceHost,
      @Pattern(regexp = HOST_OR_BLANK, message = "must be a host name, e.g. track.mail.example.com") @DefaultValue("") String trackingHost,
      @NotNull @DefaultValue("PT6H") Duration checkInterval,
      @NotNull @DefaultValue("10MB") DataSize maxMessageSize,
      @DefaultValue("true") boolean dkimRsaOpenssl) {

    @AssertTrue(message = "check-interval must be between 1 minute and 7 days")
    public boolean isCheckIntervalSensible() {
      return between(checkInterval, Duration.ofMinutes(1), Duration.ofDays(7));
    }

    @AssertTrue(message = "max-message-size must be between 1KB and 100MB")
    public boolean isMaxMessageSizeSensible() {
      return maxMessageSize == null || (maxMessageSize.toBytes() >= 1024 && maxMessageSize.toBytes() <= DataSize.ofMegabytes(100).toBytes());
    }
  }

  /** A host name of letters, digits, hyphens and underscores (for {@code _spf}), dot-separated, or blank. */
  static final String HOST_OR_BLANK = "^$|^(?=.{1,253}$)[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?)*$";

  /**
   * The DNS resolvers Herald asks (sending domains' checks, later the MTA's MX lookups): {@code host} or
   * {@code host:port} ({@code [v6]:port} for IPv6), empty for the system's (/etc/resolv.conf); and how long one
   * query waits for an answer.
   */
  public record Dns(
      @NotNull @DefaultValue({}) java.util.List<@Pattern(regexp = "^(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?$",
          message = "must be host or host:port, e.g. 127.0.0.1:53") String> resolvers,
      @NotNull @DefaultValue("PT5S") Duration timeout) {

    @AssertTrue(message = "timeout must be between 100 ms and 60 seconds")
    public boolean isTimeoutSensible() {
      return between(timeout, Duration.ofMillis(100), Duration.ofSeconds(60));
    }
  }

  /**
   * Where outbound mail goes. {@code operator} (the default): where the operator's delivery mode, stored and changed
   * at run time in the operator panel, says (sandbox capture on a new installation, or real delivery to each
   * recipient domain's MX hosts on {@code mx-port}); {@code static} overrides it for tests and benchmarks, sending
   * every domain to the one loopback {@code host:port} of {@code static-route} (a sink). Herald's own mail comes
   * from the operator's system sender under the display name {@code system-sender-name} (the installation's name).
   */
  public record Delivery(
      @NotNull @DefaultValue("operator") RouteKind route,
      @Pattern(regexp = "^$|^(127(\\.[0-9]{1,3}){3}|localhost|\\[::1\\]):[0-9]{1,5}$",
          message = "must be a loopback host:port, e.g. 127.0.0.1:2525 (a sink on this machine; real relays come as delivery servers)")
          @DefaultValue("") String staticRoute,
      @Min(value = 1, message = "must be a TCP port from 1 to 65535") @Max(value = 65535, message = "must be a TCP port from 1 to 65535")
          @DefaultValue("25") int mxPort,
      @Valid @NotNull @DefaultValue Shaping shaping,
      @Valid @NotNull @DefaultValue Retry retry,
      @Valid @NotNull @DefaultValue Worker worker,
      @NotNull @Size(min = 1, max = 100, message = "must be 1 to 100 characters")
          @Pattern(regexp = "[^\\r\\n]*", message = "must be one line") @DefaultValue("Herald") String systemSenderName) {

    /**
     * The queue's worker on nodes with the {@code delivery} role: it claims up to {@code batch-size} due recipients of
     * one domain at a time, holding them for {@code lease-term} (another node takes over what a dead node held once
     * that passes), on up to {@code concurrency} SMTP sessions at once over all destinations, and looks for due work
     * every {@code poll}.
     */
    public record Worker(
        @Min(value = 1, message = "must be from 1 to 1000") @Max(value = 1000, message = "must be from 1 to 1000")
            @DefaultValue("50") int batchSize,
        @NotNull @DefaultValue("15m") Duration leaseTerm,
        @Min(value = 1, message = "must be from 1 to 1000") @Max(value = 1000, message = "must be from 1 to 1000")
            @DefaultValue("32") int concurrency,
        @NotNull @DefaultValue("250ms") Duration poll) {

      @AssertTrue(message = "lease-term must be between 1 minute and 1 day (longer than an SMTP transaction may take), poll between 10 ms and 1 minute")
      public boolean isTimingSensible() {
        return between(leaseTerm, Duration.ofMinutes(1), Duration.ofDays(1)) && between(poll, Duration.ofMillis(10), Duration.ofMinutes(1));
      }
    }

    /** The operator's stored mode, or the static test route. */
    public enum RouteKind { OPERATOR, STATIC }

    @AssertTrue(message = "route static needs static-route (a loopback host:port such as 127.0.0.1:2525), and static-route is only for route static")
    public boolean isStaticRouteConsistent() {
      return (route == RouteKind.STATIC) == (staticRoute != null && !staticRoute.isBlank());
    }

    /**
     * Traffic shaping of every destination (a set of MX hosts): connections open to it at once, messages one
     * connection carries, its message rate; the defaults are KumoMTA's, and Gmail, Outlook, Yahoo and iCloud
     * keep KumoMTA's own limits unless {@code sites} overrides them by MX suffix. A destination that says it is
     * throttling is suspended for {@code backoff}, doubling with each signal in a row up to {@code max-backoff}.
     */
    public record Shaping(
        @Min(value = 1, message = "must be from 1 to 1000") @Max(value = 1000, message = "must be from 1 to 1000")
            @DefaultValue("10") int connectionLimit,
        @Min(value = 1, message = "must be from 1 to 100000") @Max(value = 100000, message = "must be from 1 to 100000")
            @DefaultValue("100") int deliveriesPerConnection,
        @NotNull @Pattern(regexp = RATE, message = RATE_MESSAGE) @DefaultValue("100/s") String messageRate,
        @NotNull @DefaultValue("1m") Duration backoff,
        @NotNull @DefaultValue("1h") Duration maxBackoff,
        @NotNull @DefaultValue({}) java.util.List<@Valid @NotNull Site> sites) {

      /** The limits for the MX hosts under one suffix ({@code .example.net}); an empty one keeps the built-in value. */
      public record Site(
          @NotNull(message = "must be an MX host suffix, e.g. .google.com")
              @Pattern(regexp = MX_SUFFIX, message = "must be an MX host suffix, e.g. .google.com") String mxSuffix,
          @Min(value = 1, message = "must be from 1 to 1000") @Max(value = 1000, message = "must be from 1 to 1000")
              Integer connectionLimit,
          @Min(value = 1, message = "must be from 1 to 100000") @Max(value = 100000, message = "must be from 1 to 100000")
              Integer deliveriesPerConnection,
          @Pattern(regexp = RATE, message = RATE_MESSAGE) String messageRate) {}

      @AssertTrue(message = "backoff must be between 1 second and 1 day, and max-backoff between backoff and 7 days")
      public boolean isBackoffSensible() {
        return between(backoff, Duration.ofSeconds(1), Duration.ofDays(1))
            && between(maxBackoff, backoff, Duration.ofDays(7));
      }
    }

    /**
     * Retries of deferred mail (RFC 5321 §4.5.4.1): the first after {@code first}, each interval twice the one
     * before up to {@code max-interval}, each moved by up to {@code jitter-percent} either way, until the message
     * is {@code give-up} old and expires.
     */
    public record Retry(
        @NotNull @DefaultValue("5m") Duration first,
        @NotNull @DefaultValue("2h") Duration maxInterval,
        @NotNull @DefaultValue("5d") Duration giveUp,
        @Min(value = 0, message = "must be from 0 to 50") @Max(value = 50, message = "must be from 0 to 50")
            @DefaultValue("10") int jitterPercent) {

      @AssertTrue(message = "first must be between 10 seconds and 1 day, max-interval between first and 1 day,"
          + " and give-up longer than first and at most 30 days")
      public boolean isScheduleSensible() {
        return between(first, Duration.ofSeconds(10), Duration.ofDays(1))
            && between(maxInterval, first, Duration.ofDays(1))
            && giveUp != null && giveUp.compareTo(first) > 0 && giveUp.compareTo(Duration.ofDays(30)) <= 0;
      }
    }
  }

  /** A message rate as KumoMTA writes it: {@code 100/s}, {@code 20/min}, {@code 1000/h}. */
  public static final String RATE = "^[1-9][0-9]{0,8}/(s|min|h)$";

  static final String RATE_MESSAGE = "must be count/s, count/min or count/h, e.g. 100/s or 20/min";

  /** A host name suffix, with or without its leading dot. */
  static final String MX_SUFFIX = "^\\.?(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$";

  /** A running import holds a connection for its whole merge (and borrows another for a moment to report its step). */
  @AssertTrue(message = "imports.concurrency must be below db.pool-size: each running import holds a database connection, and requests need one too")
  public boolean isImportConcurrencyWithinPool() {
    return db == null || imports == null || imports.concurrency() < db.poolSize();
  }

  @AssertTrue(message = "session-timeout must be between 5 minutes and 30 days")
  public boolean isSessionTimeoutSensible() {
    return between(sessionTimeout, Duration.ofMinutes(5), Duration.ofDays(30));
  }

  @AssertTrue(message = "shutdown-timeout must be between 1 second and 10 minutes")
  public boolean isShutdownTimeoutSensible() {
    return between(shutdownTimeout, Duration.ofSeconds(1), Duration.ofMinutes(10));
  }

  @AssertTrue(message = "min-free-disk must not be negative")
  public boolean isMinFreeDiskSensible() {
    return minFreeDisk != null && !minFreeDisk.isNegative();
  }

  /** An import's file is stored in one bytea value, and PostgreSQL keeps a value up to 1 GB. */
  @AssertTrue(message = "max-import-size must be between 1KB and 1GB (an import's file is stored in PostgreSQL, whose values stop at 1 GB)")
  public boolean isMaxImportSizeSensible() {
    return maxImportSize != null && maxImportSize.toBytes() >= 1024 && maxImportSize.toBytes() <= DataSize.ofGigabytes(1).toBytes();
  }

  private static boolean between(Duration d, Duration min, Duration max) {
    return d != null && d.compareTo(min) >= 0 && d.compareTo(max) <= 0;
  }

  @AssertTrue(message = "base-url must be an absolute http or https URL without a trailing slash, e.g. https://mail.example.com")
  public boolean isBaseUrlValid() {
    return baseUrl != null
        && ("http".equals(baseUrl.getScheme()) || "https".equals(baseUrl.getScheme()))
        && baseUrl.getHost() != null
        && !baseUrl.toString().endsWith("/");
  }

  @AssertTrue(message = "setup-link-validity, invitation-validity and password-reset-validity must be positive and at most 30 days")
  public boolean isValiditiesSensible() {
    for (Duration d : new Duration[] {setupLinkValidity, invitationValidity, passwordResetValidity}) {
      if (d == null || d.isNegative() || d.isZero() || d.compareTo(Duration.ofDays(30)) > 0) return false;
    }
    return true;
  }

  @AssertTrue(message = "public-url must be empty or an absolute http or https URL without a trailing slash, e.g. https://lists.example.com")
  public boolean isPublicUrlValid() {
    if (publicUrl == null || publicUrl.toString().isEmpty()) return true;
    return ("http".equals(publicUrl.getScheme()) || "https".equals(publicUrl.getScheme())) && publicUrl.getHost() != null
        && !publicUrl.toString().endsWith("/");
  }

  // The master keys of encrypted secrets (KeyRing): empty = <data-dir>/secret.keys. One check per kind of
  // mistake, so the message says which; they are methods of the whole record because Spring Boot's failure
  // report prints the value of a failing field, and this value must never reach a log.
  @AssertTrue(message = "secret-keys (HERALD_SECRET_KEYS) " + KeyRing.MALFORMED)
  public boolean isSecretKeysWellFormed() {
    return KeyRing.check(secretKeys) != KeyRing.Problem.MALFORMED;
  }

  @AssertTrue(message = "secret-keys (HERALD_SECRET_KEYS) " + KeyRing.WRONG_LENGTH)
  public boolean isSecretKeysOfRightLength() {
    return KeyRing.check(secretKeys) != KeyRing.Problem.WRONG_LENGTH;
  }

  @AssertTrue(message = "secret-keys (HERALD_SECRET_KEYS) " + KeyRing.DUPLICATE_ID)
  public boolean isSecretKeysIdsDistinct() {
    return KeyRing.check(secretKeys) != KeyRing.Problem.DUPLICATE_ID;
  }

  /** An absolute link on this installation's control panel, e.g. {@code link("/setup?token=x")}. */
  public String link(String pathAndQuery) {
    return baseUrl + pathAndQuery;
  }

  /**
   * An absolute link on the public origin, where subscribers' pages live (DESIGN.md security rule 2):
   * {@code public-url} when set, otherwise the panel's own address.
   */
  public String publicLink(String pathAndQuery) {
    return (separatePublicOrigin() ? publicUrl : baseUrl) + pathAndQuery;
  }

  /** Like the record's own, but never prints the master keys (DESIGN.md security rule 7: logs never contain secrets). */
  @Override
  public String toString() {
    return "HeraldProperties[dataDir=" + dataDir + ", db=" + db + ", roles=" + roles + ", baseUrl=" + baseUrl
        + ", publicUrl=" + publicUrl + ", login=" + login + ", setupLinkValidity=" + setupLinkValidity
        + ", invitationValidity=" + invitationValidity + ", passwordResetValidity=" + passwordResetValidity
        + ", secretKeys=" + (secretKeys == null || secretKeys.isBlank() ? "" : "(hidden)") + ", imports=" + imports
        + ", mailLimits=" + mailLimits + ", sending=" + sending + ", dns=" + dns + ", delivery=" + delivery + ", content=" + content + ", campaigns=" + campaigns + ", tracking=" + tracking + ", feedback=" + feedback + ", retention=" + retention + ", sessionTimeout=" + sessionTimeout
        + ", shutdownTimeout=" + shutdownTimeout + ", minFreeDisk=" + minFreeDisk + ", maxImportSize=" + maxImportSize + "]";
  }

  /** The host of the base URL: the default of the sending hosts. */
  public String baseHost() {
    return baseUrl.getHost();
  }

  /** Whether subscribers' pages are served on a host of their own, apart from the panel. */
  public boolean separatePublicOrigin() {
    return publicUrl != null && publicUrl.getHost() != null && !publicUrl.getHost().equalsIgnoreCase(baseUrl.getHost());
  }
}
