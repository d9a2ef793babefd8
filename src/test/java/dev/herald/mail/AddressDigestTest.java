package dev.herald.mail;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The digest is stored (suppression's {@code address_hash}, the hashes left by erasures) and
 * recomputed by PostgreSQL's {@code sha256(convert_to(key, 'UTF8'))}, so its value must never
 * change: these are pinned, computed outside Java ({@code printf '%s' KEY | sha256sum}).
 */
class AddressDigestTest {

  @Test
  void the_digest_of_a_key_is_the_plain_sha256_of_its_utf8() {
    assertThat(AddressDigest.hex("ann@example.com"))
        .isEqualTo("71d4f55f72fa128dfb468a1a3901507c804b74316488744d769d7f4b16696476");
    assertThat(AddressDigest.hex("jürgen@bücher.example"))
        .isEqualTo("2e1df3d00f90fc7e7777e7a5c1c7fa9a8879301b5e8f493ae6797a41d6a0dcbe");
  }

  @Test
  void the_bytes_and_the_hex_are_the_same_digest() {
    byte[] bytes = AddressDigest.of("ann@example.com");
    assertThat(bytes).hasSize(32);
    assertThat(HexFormat.of().formatHex(bytes)).isEqualTo(AddressDigest.hex("ann@example.com"));
  }

  @Test
  void addresses_that_differ_only_in_case_share_a_digest_through_their_key() {
    EmailAddress upper = ((EmailAddress.Valid) EmailAddress.parse(" Ann@EXAMPLE.com ")).address();
    assertThat(AddressDigest.hex(upper.key()))
        .isEqualTo("71d4f55f72fa128dfb468a1a3901507c804b74316488744d769d7f4b16696476");
  }
}
