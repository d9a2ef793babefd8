package dev.herald.messages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** The signed VERP return path: round trip, and every kind of tampering refused. */
class ReturnPathTest {
  static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  final ReturnPath returnPath = new ReturnPath(() -> KEY.clone());

  @Test
  void address_names_message_and_recipient_on_the_bounce_subdomain() {
    String address = returnPath.address(123, 456, "Example.COM");
    assertThat(address).matches("b\\+3f\\.co\\.[a-z2-7]{16}@bounces\\.example\\.com");
    assertThat(returnPath.parse(address)).contains(new ReturnPath.Recipient(123, 456, "example.com"));
  }

  @Test
  void largest_ids_keep_the_local_part_within_64_octets() {
    String address = returnPath.address(Long.MAX_VALUE, Long.MAX_VALUE, "xn--bcher-kva.example");
    assertThat(address.substring(0, address.indexOf('@')).length()).isLessThanOrEqualTo(64);
    assertThat(returnPath.parse(address)).contains(new ReturnPath.Recipient(Long.MAX_VALUE, Long.MAX_VALUE, "xn--bcher-kva.example"));
    assertThat(returnPath.parse(returnPath.address(0, 0, "example.com"))).contains(new ReturnPath.Recipient(0, 0, "example.com"));
  }

  @Test
  void case_changed_by_a_mail_system_still_parses() {
    String address = returnPath.address(99_999_999L, 7, "example.com");
    assertThat(returnPath.parse(address.toUpperCase(Locale.ROOT))).contains(new ReturnPath.Recipient(99_999_999L, 7, "example.com"));
    assertThat(returnPath.parse(" " + address + " ")).isPresent();
  }

  @Test
  void tampered_addresses_are_refused() {
    String address = returnPath.address(123, 456, "example.com");
    String local = address.substring(0, address.indexOf('@'));
    String mac = local.substring(local.lastIndexOf('.') + 1);
    List<String> forged = new ArrayList<>();
    forged.add(address.replace("b+3f.", "b+3g."));                        // another message
    forged.add(address.replace(".co.", ".cp."));                          // another recipient
    forged.add(address.replace("@bounces.example.com", "@bounces.example.org")); // another domain
    forged.add(address.replace("@bounces.", "@bounce."));
    forged.add(address.replace("b+", "c+"));
    forged.add(local + "@example.com");
    for (int i = 0; i < mac.length(); i++) {                               // every single character of the signature
      char[] chars = mac.toCharArray();
      chars[i] = chars[i] == 'a' ? 'b' : 'a';
      forged.add(address.replace("." + mac + "@", "." + new String(chars) + "@"));
    }
    forged.add(address.replace("." + mac + "@", "." + mac.substring(1) + "@"));
    forged.add(address.replace("." + mac + "@", "." + mac + "a@"));
    forged.addAll(Arrays.asList(null, "", "@", "b+@bounces.example.com", "b+1.2.@bounces.example.com", address + "x".repeat(400),
        "b+zzzzzzzzzzzzz.1." + mac + "@bounces.example.com"));
    for (String candidate : forged) assertThat(returnPath.parse(candidate)).as(String.valueOf(candidate)).isEmpty();
  }

  @Test
  void another_installation_key_refuses_our_addresses() {
    String address = returnPath.address(1, 2, "example.com");
    ReturnPath other = new ReturnPath(() -> "fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.US_ASCII));
    assertThat(other.parse(address)).isEmpty();
    assertThat(new ReturnPath(() -> KEY.clone()).parse(address)).isPresent();
  }

  @Test
  void negative_ids_and_bad_domains_are_programming_errors() {
    assertThatThrownBy(() -> returnPath.address(-1, 2, "example.com")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> returnPath.address(1, 2, "bücher.example")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> returnPath.address(1, 2, "localhost")).isInstanceOf(IllegalArgumentException.class);
    // The domain checked last is remembered; a bad one after it is still refused, and a good one after that accepted.
    assertThat(returnPath.address(1, 2, "example.com")).endsWith("@bounces.example.com");
    assertThatThrownBy(() -> returnPath.address(1, 2, "-bad.example")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> returnPath.address(1, 2, "-bad.example")).isInstanceOf(IllegalArgumentException.class);
    assertThat(returnPath.address(1, 3, "example.com")).endsWith("@bounces.example.com");
  }

  @Test
  void base32_follows_rfc_4648() {
    assertThat(ReturnPath.base32("foobar".getBytes(StandardCharsets.US_ASCII))).isEqualTo("mzxw6ytboi");
    assertThat(ReturnPath.base32("fooba".getBytes(StandardCharsets.US_ASCII))).isEqualTo("mzxw6ytb");
  }
}
