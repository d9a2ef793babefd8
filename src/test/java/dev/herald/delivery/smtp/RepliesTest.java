package dev.herald.delivery.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ProtocolException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Multi-line replies and RFC 3463 enhanced status codes. */
class RepliesTest {
  private static SmtpReply read(String... lines) throws Exception {
    return Replies.read(ScriptedPeer.greeting(lines), Duration.ofSeconds(1));
  }

  @Test
  void a_multi_line_reply_keeps_every_line_and_one_enhanced_code() throws Exception {
    SmtpReply reply = read(
        "550-5.7.1 [192.0.2.1] The IP you're using to send mail is not authorized",
        "550-5.7.1 to send email directly to our servers. Please use",
        "550 5.7.1 the SMTP relay at your service provider instead. - gsmtp");
    assertThat(reply.code()).isEqualTo(550);
    assertThat(reply.enhancedCode()).isEqualTo("5.7.1");
    assertThat(reply.lines()).containsExactly(
        "[192.0.2.1] The IP you're using to send mail is not authorized",
        "to send email directly to our servers. Please use",
        "the SMTP relay at your service provider instead. - gsmtp");
    assertThat(reply.permanentFailure()).isTrue();
  }

  @Test
  void an_enhanced_code_of_another_class_than_the_reply_is_left_in_the_text() {
    SmtpReply reply = Replies.parse(451, List.of("5.1.1 confused server"));
    assertThat(reply.enhancedCode()).isNull();
    assertThat(reply.text()).isEqualTo("5.1.1 confused server");
    assertThat(reply.transientFailure()).isTrue();
  }

  @Test
  void leading_zeros_in_an_enhanced_code_are_normalized_and_a_bare_code_has_no_text() throws Exception {
    assertThat(Replies.parse(250, List.of("2.01.005 Ok")).enhancedCode()).isEqualTo("2.1.5");
    SmtpReply bare = read("250");
    assertThat(bare.lines()).containsExactly("");
    assertThat(bare.toString()).isEqualTo("250");
  }

  @Test
  void lines_that_are_not_reply_lines_or_disagree_on_the_code_break_the_protocol() {
    assertThatThrownBy(() -> read("hello there")).isInstanceOf(ProtocolException.class).hasMessageContaining("hello there");
    assertThatThrownBy(() -> read("250-first", "251 second")).isInstanceOf(ProtocolException.class);
    assertThatThrownBy(() -> read("150 not a reply class")).isInstanceOf(ProtocolException.class);
  }

  @Test
  void a_reply_of_endless_lines_is_cut_off() {
    String[] lines = new String[Replies.MAX_LINES + 1];
    java.util.Arrays.fill(lines, "250-again");
    assertThatThrownBy(() -> read(lines)).isInstanceOf(ProtocolException.class).hasMessageContaining("lines");
  }

  @Test
  void envelopes_refuse_addresses_that_could_inject_commands() {
    assertThatThrownBy(() -> new Envelope("a@b.example", List.of("x@y.example>\r\nRCPT TO:<z@y.example")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Envelope("a@b.example\r\nRSET", List.of("x@y.example")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Envelope("a@b.example", List.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(new Envelope("", List.of("x@y.example")).needsSmtpUtf8()).isFalse();
    assertThat(new Envelope("", List.of("x@bücher.example")).needsSmtpUtf8()).isTrue();
  }
}
