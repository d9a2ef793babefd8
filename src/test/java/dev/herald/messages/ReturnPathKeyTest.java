package dev.herald.messages;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.platform.Secrets;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/** The return-path key lives encrypted in Secrets, so every node signs and checks with the same one. */
@SpringBootTest
class ReturnPathKeyTest {
  @Autowired ReturnPath returnPath;
  @Autowired Secrets secrets;

  @Test
  void another_node_with_the_same_database_accepts_our_addresses() {
    String address = returnPath.address(42, 43, "example.com");
    assertThat(secrets.get(ReturnPath.KEY_NAME)).hasValueSatisfying(key -> assertThat(key).hasSize(32));
    ReturnPath otherNode = new ReturnPath(secrets);
    assertThat(otherNode.parse(address)).contains(new ReturnPath.Recipient(42, 43, "example.com"));
  }
}
