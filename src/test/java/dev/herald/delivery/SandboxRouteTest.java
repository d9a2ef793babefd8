package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.delivery.SandboxMailbox.CapturedMessage;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * Sandbox capture, the default route of a new installation, passes the route contract: messages land in the
 * sandbox mailbox, and its two simulating domains answer as a rejecting and a deferring server would.
 */
@SpringBootTest
@org.springframework.context.annotation.Import(dev.herald.tenancy.TestOrganizations.class)
class SandboxRouteTest extends RouteContract {
  @Autowired DeliveryAttempt attempt;
  @Autowired Route route;
  @Autowired SandboxMailbox mailbox;
  @Autowired dev.herald.tenancy.TestOrganizations organizations;
  @Autowired org.springframework.jdbc.core.simple.JdbcClient jdbc;

  /** A capture names its sender's organization (V77): SENDER's, the first of this class's fresh database. */
  @org.junit.jupiter.api.BeforeEach
  void sendersOrganization() {
    if (jdbc.sql("select count(*) from organization where id = ?").param(SENDER.organizationId()).query(Long.class).single() == 0) {
      assertThat(organizations.create("Sandbox sender", "send").id()).isEqualTo(SENDER.organizationId());
    }
  }

  @Override
  Target prepare(Peer peer) {
    return new Target(attempt, switch (peer) {
      case ACCEPTS -> "reader@example.net";
      case REJECTS -> "reader@" + SandboxMailbox.REJECTING_DOMAIN;
      case DEFERS -> "reader@" + SandboxMailbox.DEFERRING_DOMAIN;
    });
  }

  @Override
  List<String> captured(String recipient) {
    return mailbox.recent(recipient, 10).stream()
        .filter(m -> m.purpose().equals("delivery"))
        .map(CapturedMessage::bodyText)
        .toList();
  }

  @Test
  void a_new_installation_routes_to_the_sandbox() {
    assertThat(route).isInstanceOf(ModeRoute.class);
    assertThat(route.route(SENDER, "example.net")).as("the stored mode of a new installation").isInstanceOf(Route.Capture.class);
  }

  @Test
  void the_mailbox_lists_the_message_under_its_subject() {
    attempt.deliver(SENDER, "example.org", new dev.herald.delivery.smtp.Envelope("b@b.test",
        List.of("one@example.org", "two@example.org")), message("=?UTF-8?Q?caf=C3=A9?= news\r\n continued"));
    assertThat(mailbox.recent("two@example.org", 10)).singleElement()
        .extracting(CapturedMessage::subject).isEqualTo("=?UTF-8?Q?caf=C3=A9?= news continued");
    assertThat(mailbox.recent("one@example.org", 10)).hasSize(1);
  }
}
