package dev.herald.tenancy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testsupport.WebClient;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

/** First start on an empty database: a one-time link, printed in the log, creates the operator. */
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class FirstStartTest {
  @LocalServerPort int port;
  @Autowired Accounts accounts;
  @Autowired JdbcClient jdbc;

  @Test
  void the_printed_setup_link_creates_the_operator_once_and_no_default_password_exists(CapturedOutput output) {
    Matcher link = Pattern.compile("/setup\\?token=([A-Za-z0-9_-]{43})").matcher(output.getAll());
    assertThat(link.find()).as("setup link in the log").isTrue();
    String token = link.group(1);
    assertThat(jdbc.sql("select count(*) from app_user").query(Long.class).single()).as("no account exists before setup").isZero();

    WebClient web = new WebClient(port);
    assertThat(web.get("/setup?token=not-the-token").body()).contains("invalid");
    assertThat(web.get("/setup?token=" + token).body()).contains("name=\"organizationName\"");
    jdbc.sql("update one_time_token set expires_at = now() - interval '1 minute' where purpose = 'setup'").update();
    assertThat(web.get("/setup?token=" + token).body()).as("expired link").contains("invalid").doesNotContain("name=\"organizationName\"");
    jdbc.sql("update one_time_token set expires_at = now() + interval '1 hour' where purpose = 'setup'").update();
    assertThat(web.get("/dashboard").locationPath()).isNull(); // followed to the sign-in page
    assertThat(web.get("/dashboard").body()).contains("Sign in");

    // bad input: field errors, nothing created, the link still works
    WebClient.Page refused = web.submit("/setup?token=" + token, "/setup", Map.of("token", token, "email", "ops@example.com",
        "displayName", "Ops", "password", "short", "ageConfirmed", "true", "termsAccepted", "true", "organizationName", "Example"));
    assertThat(refused.status()).isEqualTo(422);
    assertThat(refused.body()).contains("Use at least 10 characters.");

    WebClient.Page done = web.submit("/setup?token=" + token, "/setup", Map.of("token", token, "email", "ops@example.com",
        "displayName", "Ops", "password", "a long enough passphrase", "ageConfirmed", "true", "termsAccepted", "true",
        "organizationName", "Example Corp"));
    assertThat(done.locationPath()).isEqualTo("/dashboard");
    assertThat(web.get("/operator").status()).isEqualTo(200);
    assertThat(jdbc.sql("select operator from app_user where email = 'ops@example.com'").query(Boolean.class).single()).isTrue();
    assertThat(jdbc.sql("select count(*) from policy_acceptance").query(Long.class).single()).isEqualTo(1);

    // used once: a second visit is refused, and no new link is issued now that an operator exists
    WebClient other = new WebClient(port);
    assertThat(other.get("/setup?token=" + token).body()).contains("invalid");
    assertThat(accounts.issueSetupToken()).isEmpty();
  }
}
