package dev.herald.messages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Relaxed canonicalization (RFC 6376 §3.4.2, §3.4.4) and the choice and order of signed fields. */
class DkimCanonicalTest {

  private static String body(String message) {
    byte[] bytes = message.getBytes(StandardCharsets.ISO_8859_1);
    return new String(DkimCanonical.body(bytes, DkimCanonical.split(bytes).bodyStart()), StandardCharsets.ISO_8859_1);
  }

  @Test
  void rfc_6376_section_3_4_5_example() {
    String message = "A: X\r\nB : Y\t\r\n\tZ  \r\n\r\n C \r\nD \t E\r\n\r\n\r\n";
    List<DkimCanonical.Field> fields = DkimCanonical.split(message.getBytes(StandardCharsets.US_ASCII)).fields();
    assertThat(fields).extracting(f -> DkimCanonical.header(f.raw())).containsExactly("a:X\r\n", "b:Y Z\r\n");
    assertThat(body(message)).isEqualTo(" C\r\nD E\r\n");
  }

  @Test
  void header_names_lower_case_whitespace_runs_one_space_ends_trimmed() {
    assertThat(DkimCanonical.header("SubJECT:  Hello \t  World  ")).isEqualTo("subject:Hello World\r\n");
    assertThat(DkimCanonical.header("Subject \t:\tx")).isEqualTo("subject:x\r\n");
    assertThat(DkimCanonical.header("X-Empty:")).isEqualTo("x-empty:\r\n");
    assertThat(DkimCanonical.header("X-Blank:   ")).isEqualTo("x-blank:\r\n");
  }

  @Test
  void folded_header_is_unfolded() {
    String message = "To: Ann <ann@example.com>,\r\n\t  Bob <bob@example.com>,\r\n Cy <cy@example.com>\r\nSubject: x\r\n\r\n";
    DkimCanonical.Field to = DkimCanonical.split(message.getBytes(StandardCharsets.US_ASCII)).fields().get(0);
    assertThat(to.name()).isEqualTo("To");
    assertThat(DkimCanonical.header(to.raw())).isEqualTo("to:Ann <ann@example.com>, Bob <bob@example.com>, Cy <cy@example.com>\r\n");
  }

  @Test
  void utf8_header_bytes_are_kept_as_they_are() {
    byte[] message = "Subject: Grüße  aus Köln\r\n\r\nx\r\n".getBytes(StandardCharsets.UTF_8);
    String raw = DkimCanonical.split(message).fields().get(0).raw();
    assertThat(DkimCanonical.header(raw).getBytes(StandardCharsets.ISO_8859_1))
        .isEqualTo("subject:Grüße aus Köln\r\n".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void body_whitespace_runs_and_trailing_whitespace() {
    assertThat(body("A: b\r\n\r\na  b \t\r\n\t lead\r\n")).isEqualTo("a b\r\n lead\r\n");
    assertThat(body("A: b\r\n\r\n \t \r\nx\r\n")).isEqualTo("\r\nx\r\n");
  }

  @Test
  void trailing_empty_lines_are_dropped_inner_ones_kept() {
    assertThat(body("A: b\r\n\r\na\r\n\r\n\r\nb\r\n\r\n \r\n\t\r\n\r\n")).isEqualTo("a\r\n\r\n\r\nb\r\n");
  }

  @Test
  void empty_body_is_empty_and_hashes_like_rfc_6376_says() throws Exception {
    // RFC 6376 §3.4.4 (relaxed): an empty body stays empty; RFC 4871 had made it CRLF. python3-dkim agrees.
    for (String message : List.of("A: b\r\n\r\n", "A: b\r\n", "A: b\r\n\r\n\r\n\r\n", "A: b\r\n\r\n  \r\n")) {
      assertThat(body(message)).as(message).isEmpty();
    }
    byte[] hash = MessageDigest.getInstance("SHA-256").digest(new byte[0]);
    assertThat(Base64.getEncoder().encodeToString(hash)).isEqualTo("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
  }

  @Test
  void last_line_without_crlf_gets_one() {
    assertThat(body("A: b\r\n\r\nlast")).isEqualTo("last\r\n");
  }

  @Test
  void leading_dot_lines_are_body_text_like_any_other() {
    // Dot-stuffing is SMTP's business (the MTA adds and the receiver removes it); DKIM signs the unstuffed text.
    assertThat(body("A: b\r\n\r\n.\r\n..x\r\n")).isEqualTo(".\r\n..x\r\n");
  }

  @Test
  void bare_cr_or_lf_is_refused() {
    for (String message : List.of("A: b\n\r\nx\r\n", "A: b\r\n\r\nx\ny\r\n", "A: b\r\n\r\nx\ry\r\n", "A: b\r\n\r\nx\r")) {
      assertThatThrownBy(() -> DkimCanonical.split(message.getBytes(StandardCharsets.US_ASCII)))
          .as(message).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("CRLF");
    }
  }

  @Test
  void message_without_empty_line_is_all_header() {
    DkimCanonical.Split split = DkimCanonical.split("A: b\r\nC: d\r\n".getBytes(StandardCharsets.US_ASCII));
    assertThat(split.fields()).extracting(DkimCanonical.Field::name).containsExactly("A", "C");
    assertThat(split.bodyStart()).isEqualTo(12);
  }

  @Test
  void signed_names_follow_the_list_each_occurrence_and_one_more_from() {
    String message = "subject: s\r\nfrom: a@example.com\r\nTO: x@example.com\r\nTo: y@example.com\r\nX-Other: o\r\n"
        + "List-Unsubscribe: <https://u.example/1>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n\r\n";
    List<String> names = DkimSigner.signedNames(DkimCanonical.split(message.getBytes(StandardCharsets.US_ASCII)).fields());
    assertThat(names).containsExactly("from", "from", "to", "to", "subject", "list-unsubscribe", "list-unsubscribe-post");
  }

  @Test
  void message_without_from_is_refused() {
    byte[] message = "To: x@example.com\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII);
    assertThatThrownBy(() -> DkimSigner.signedNames(DkimCanonical.split(message).fields()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("From");
  }

  @Test
  void repeated_fields_are_taken_from_the_bottom_up() {
    byte[] message = "To: first\r\nFrom: f\r\nTo: second\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    byte[] data = DkimSigner.headerData(DkimCanonical.split(message).fields(), List.of("to", "from", "from", "to", "to"));
    assertThat(new String(data, StandardCharsets.US_ASCII)).isEqualTo("to:second\r\nfrom:f\r\nto:first\r\n");
  }

  @Test
  void signature_field_lines_stay_short_and_b_is_folded_inside_its_value() {
    String fields = new DkimSigner(List.of(DkimKey.newRsa("example.com", "s2026"), DkimKey.newEd25519("example.com", "e2026")),
        Clock.fixed(Instant.ofEpochSecond(1_800_000_000L), ZoneOffset.UTC))
        .signatureFields(("From: a@example.com\r\nTo: b@example.com\r\nCc: c@example.com\r\nSubject: s\r\nDate: d\r\n"
            + "Message-ID: <m@example.com>\r\nReply-To: r@example.com\r\nList-Unsubscribe: <mailto:u@example.com>\r\n"
            + "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n"
            + "Content-Transfer-Encoding: 7bit\r\nFeedback-ID: a:b:c:d\r\n\r\nbody\r\n").getBytes(StandardCharsets.US_ASCII));
    assertThat(fields).endsWith("\r\n").doesNotContain("\r\n\r\n");
    assertThat(fields.split("\r\n")).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(78))
        .filteredOn(line -> line.startsWith("DKIM-Signature:")).hasSize(2);
    assertThat(fields.replace("\r\n\t", "")).contains("h=from:from:to:cc:subject:date:message-id:reply-to:list-unsubscribe:"
        + "list-unsubscribe-post:mime-version:content-type:content-transfer-encoding:feedback-id;", "t=1800000000;");
  }
}
