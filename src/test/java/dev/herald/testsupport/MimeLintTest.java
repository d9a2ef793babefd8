package dev.herald.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The lint refuses each way a message can be wrong on the wire, so a message that passes it is really clean. */
class MimeLintTest {
  static final String HEAD = "From: a@example.com\r\nTo: b@example.net\r\nDate: Sun, 6 Dec 2026 17:30:05 +0000\r\n"
      + "Message-ID: <m1@example.com>\r\nSubject: Hi\r\nMIME-Version: 1.0\r\n";

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static void refused(String message, String why) {
    refused(bytes(message), false, why);
  }

  static void refused(byte[] message, boolean utf8, String why) {
    assertThatThrownBy(() -> MimeLint.check(message, utf8)).isInstanceOf(AssertionError.class).hasMessageContaining(why);
  }

  @Test
  void a_clean_message_passes_and_is_described() {
    String out = MimeLint.checkAll(List.of(bytes(HEAD + "Content-Type: text/plain; charset=us-ascii\r\n\r\nHello.\r\n"),
        bytes(HEAD + "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nGr=C3=BC=C3=9Fe=\r\n\r\n")),
        false);
    assertThat(out).contains("0 text/plain us-ascii - -", "0 text/plain utf-8 quoted-printable -", "subject: Hi");
  }

  @Test
  void wire_faults_are_refused() {
    refused(HEAD + "\r\nbare\nLF\r\n", "bare CR or LF");
    refused(HEAD + "\r\n" + "x".repeat(999) + "\r\n", "more than 998");
    refused(HEAD + "\r\nno final line end", "does not end with CRLF");
    refused(HEAD + "\r\nnul \0 here\r\n", "NUL");
    refused(HEAD.replace("Subject: Hi", "Subject: Grüße") + "\r\nx\r\n", "8-bit header without SMTPUTF8");
    assertThat(MimeLint.check(bytes(HEAD.replace("Subject: Hi", "Subject: Grüße") + "\r\nx\r\n"), true)).contains("subject: Grüße");
  }

  @Test
  void header_faults_are_refused() {
    refused(HEAD + "Subject: again\r\n\r\nx\r\n", "more than one subject");
    refused(HEAD.replace("Message-ID: <m1@example.com>\r\n", "") + "\r\nx\r\n", "no message-id");
    refused(HEAD + "To: <broken\r\n\r\nx\r\n", "more than one to");
    refused(HEAD.replace("To: b@example.net", "To: b@@example.net") + "\r\nx\r\n", "defect");
  }

  @Test
  void body_faults_are_refused() {
    refused(HEAD + "Content-Type: text/plain; charset=utf-8\r\n\r\nGrüße\r\n", "8-bit content in a part declared 7bit");
    refused(HEAD + "Content-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" + "y".repeat(80) + "\r\n",
        "more than 76");
    refused(HEAD + "Content-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nbad =ZZ escape\r\n", "not quoted-printable");
    refused(HEAD + "Content-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nab!d\r\n", "not base64");
    refused(HEAD + "Content-Type: application/pdf\r\nContent-Transfer-Encoding: binary\r\n\r\nx\r\n", "binary is not for SMTP");
    refused(HEAD + "Content-Type: multipart/related; boundary=\"b\"; type=\"text/plain\"\r\n\r\n--b\r\nContent-Type: text/html\r\n\r\n"
        + "<p>x</p>\r\n--b--\r\n", "root part is text/html");
    refused(HEAD + "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nx\r\n", "defect");
  }
}
