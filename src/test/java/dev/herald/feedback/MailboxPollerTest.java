package dev.herald.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.herald.audiences.Subscribers;
import dev.herald.delivery.BulkSends;
import dev.herald.domains.SendingDomains;
import dev.herald.messages.ReturnPath;
import dev.herald.suppression.Suppressions;
import dev.herald.tenancy.TestOrganizations;
import jakarta.mail.Folder;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.net.ServerSocket;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Mailbox monitors against a real IMAP and POP3 server (GreenMail, in this JVM, on loopback): DSNs and ARF reports in
 * the account are acted on for the mailbox's organization, then moved (IMAP) or deleted (POP3); a poll that cannot log
 * in keeps its error and leaves the messages. The test calls the poll itself (no worker role, so no schedule).
 */
@SpringBootTest(properties = {"herald.roles=web"})
@Import(TestOrganizations.class)
class MailboxPollerTest {
  @Autowired TestOrganizations organizations;
  @Autowired SendingDomains sendingDomains;
  @Autowired JdbcClient jdbc;
  @Autowired BulkSends bulk;
  @Autowired Subscribers subscribers;
  @Autowired ReturnPath returnPath;
  @Autowired Suppressions suppressions;
  @Autowired Mailboxes mailboxes;
  @Autowired MailboxPoller poller;

  GreenMail mail;
  GreenMailUser user;

  static int freePort() throws Exception {
    try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return probe.getLocalPort();
    }
  }

  @BeforeEach
  void server() throws Exception {
    mail = new GreenMail(new ServerSetup[] {new ServerSetup(freePort(), "127.0.0.1", ServerSetup.PROTOCOL_IMAP),
        new ServerSetup(freePort(), "127.0.0.1", ServerSetup.PROTOCOL_POP3)});
    mail.start();
    user = mail.setUser("bounces@external.example", "bounces", "secret-pw");
  }

  @AfterEach
  void stop() {
    mail.stop();
  }

  void deliver(byte[] raw) throws Exception {
    user.deliver(new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(raw)));
  }

  FeedbackFixtures.Sent sent(String... people) {
    return FeedbackFixtures.campaign(organizations, sendingDomains, jdbc, bulk, subscribers, returnPath, people);
  }

  long monitor(long org, MailboxProtocol protocol, int port, String password, AfterProcessing after) {
    return mailboxes.create(org, new Mailboxes.Input("Bounces " + protocol, protocol, "127.0.0.1", port, MailboxTls.NONE, true, "bounces",
        password, "INBOX", after, null));
  }

  int count(String folderName) throws Exception {
    Store store = Session.getInstance(new Properties()).getStore("imap");
    store.connect("127.0.0.1", mail.getImap().getPort(), "bounces", "secret-pw");
    try {
      Folder folder = store.getFolder(folderName);
      if (!folder.exists()) return 0;
      folder.open(Folder.READ_ONLY);
      try {
        return folder.getMessageCount();
      } finally {
        folder.close(false);
      }
    } finally {
      store.close();
    }
  }

  @Test
  void imap_reports_are_acted_on_for_the_mailboxs_organization_and_moved_to_the_processed_folder() throws Exception {
    var s = sent("gone@receiver.example", "angry@receiver.example");
    var angry = s.recipients().get("angry@receiver.example");
    // A bounce whose return path was the external mailbox (no VERP), and a complaint quoting Herald's return path.
    deliver(FeedbackFixtures.dsn("bounces@external.example", "gone@receiver.example", "5.1.1", "550 5.1.1 User unknown"));
    deliver(FeedbackFixtures.complaint(angry.returnPath(), angry.address()));
    long id = monitor(s.organizationId(), MailboxProtocol.IMAP, mail.getImap().getPort(), "secret-pw", AfterProcessing.MOVE);

    poller.pollDue();

    assertThat(suppressions.check(s.organizationId(), "gone@receiver.example")).isNotEmpty();
    assertThat(suppressions.check(s.organizationId(), "angry@receiver.example")).isNotEmpty();
    assertThat(jdbc.sql("select feedback_class from feedback_event where organization_id = ? and source = 'mailbox' order by id")
        .param(s.organizationId()).query(String.class).list()).containsExactlyInAnyOrder("hard", "complaint");
    assertThat(count("INBOX")).isZero();
    assertThat(count("Herald processed")).isEqualTo(2);
    Mailboxes.Mailbox state = mailboxes.find(s.organizationId(), id).orElseThrow();
    assertThat(state.lastError()).isEmpty();
    assertThat(state.lastProcessed()).isEqualTo(2);
    assertThat(state.lastSuccessAt()).isNotNull();

    poller.pollDue(); // not due again until the poll interval passed
    assertThat(mailboxes.find(s.organizationId(), id).orElseThrow().processedTotal()).isEqualTo(2);
  }

  int inbox() throws Exception {
    return mail.getManagers().getImapHostManager().getInbox(user).getMessageCount();
  }

  /**
   * Over TLS from the first byte (IMAPS and POP3S; GreenMail's ports there speak nothing else) with GreenMail's own
   * certificate, which no JVM trusts: verified, the poll fails on the certificate, keeps the error and leaves the
   * messages; with verification off (the owner's choice for such a server) the same account is read over TLS.
   */
  @Test
  void imaps_and_pop3s_verify_the_certificate_unless_told_not_to() throws Exception {
    mail.stop();
    mail = new GreenMail(new ServerSetup[] {new ServerSetup(freePort(), "127.0.0.1", ServerSetup.PROTOCOL_IMAPS),
        new ServerSetup(freePort(), "127.0.0.1", ServerSetup.PROTOCOL_POP3S)});
    mail.start();
    user = mail.setUser("bounces@external.example", "bounces", "secret-pw");
    var s = sent("tls-gone@receiver.example");
    deliver(FeedbackFixtures.dsn("bounces@external.example", "tls-gone@receiver.example", "5.1.1", "550 5.1.1 User unknown"));

    long verified = mailboxes.create(s.organizationId(), new Mailboxes.Input("IMAPS verified", MailboxProtocol.IMAP, "127.0.0.1",
        mail.getImaps().getPort(), MailboxTls.IMPLICIT, true, "bounces", "secret-pw", null, AfterProcessing.DELETE, null));
    poller.pollDue();
    Mailboxes.Mailbox refused = mailboxes.find(s.organizationId(), verified).orElseThrow();
    assertThat(refused.lastError()).containsAnyOf("PKIX", "certification path", "SSLHandshake");
    assertThat(refused.lastSuccessAt()).isNull();
    assertThat(inbox()).isEqualTo(1);
    assertThat(suppressions.check(s.organizationId(), "tls-gone@receiver.example")).isEmpty();
    mailboxes.delete(s.organizationId(), verified);

    long imaps = mailboxes.create(s.organizationId(), new Mailboxes.Input("IMAPS", MailboxProtocol.IMAP, "127.0.0.1",
        mail.getImaps().getPort(), MailboxTls.IMPLICIT, false, "bounces", "secret-pw", null, AfterProcessing.DELETE, null));
    poller.pollDue();
    Mailboxes.Mailbox read = mailboxes.find(s.organizationId(), imaps).orElseThrow();
    assertThat(read.lastError()).isEmpty();
    assertThat(read.lastProcessed()).isEqualTo(1);
    assertThat(inbox()).isZero();
    assertThat(suppressions.check(s.organizationId(), "tls-gone@receiver.example")).isNotEmpty();
    mailboxes.delete(s.organizationId(), imaps);

    deliver(FeedbackFixtures.dsn("bounces@external.example", "tls-gone2@receiver.example", "5.1.1", "550 5.1.1 User unknown"));
    long pop3s = mailboxes.create(s.organizationId(), new Mailboxes.Input("POP3S", MailboxProtocol.POP3, "127.0.0.1",
        mail.getPop3s().getPort(), MailboxTls.IMPLICIT, false, "bounces", "secret-pw", null, AfterProcessing.DELETE, null));
    poller.pollDue();
    Mailboxes.Mailbox popped = mailboxes.find(s.organizationId(), pop3s).orElseThrow();
    assertThat(popped.lastError()).isEmpty();
    assertThat(popped.lastProcessed()).isEqualTo(1);
    assertThat(inbox()).isZero();
    assertThat(suppressions.check(s.organizationId(), "tls-gone2@receiver.example")).isNotEmpty();
  }

  @Test
  void pop3_reports_are_acted_on_and_deleted_and_a_wrong_password_keeps_its_error_and_the_messages() throws Exception {
    var s = sent("full@receiver.example");
    deliver(FeedbackFixtures.dsn("bounces@external.example", "gone2@receiver.example", "5.1.1", "550 5.1.1 User unknown"));
    long wrong = monitor(s.organizationId(), MailboxProtocol.POP3, mail.getPop3().getPort(), "not-the-password", AfterProcessing.DELETE);
    poller.pollDue();
    Mailboxes.Mailbox failed = mailboxes.find(s.organizationId(), wrong).orElseThrow();
    assertThat(failed.lastError()).isNotEmpty();
    assertThat(failed.lastPollAt()).isNotNull();
    assertThat(failed.lastSuccessAt()).isNull();
    assertThat(count("INBOX")).isEqualTo(1);
    assertThat(suppressions.check(s.organizationId(), "gone2@receiver.example")).isEmpty();

    mailboxes.delete(s.organizationId(), wrong);
    long id = mailboxes.create(s.organizationId(), new Mailboxes.Input("POP3 box", MailboxProtocol.POP3, "127.0.0.1",
        mail.getPop3().getPort(), MailboxTls.NONE, true, "bounces", "secret-pw", null, AfterProcessing.DELETE, null));
    poller.pollDue();
    assertThat(suppressions.check(s.organizationId(), "gone2@receiver.example")).isNotEmpty();
    assertThat(count("INBOX")).isZero();
    assertThat(mailboxes.find(s.organizationId(), id).orElseThrow().lastProcessed()).isEqualTo(1);
  }
}
