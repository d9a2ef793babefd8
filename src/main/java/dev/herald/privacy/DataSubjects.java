package dev.herald.privacy;

import dev.herald.audiences.Subscribers;
import dev.herald.mail.AddressDigest;
import dev.herald.mail.EmailAddress;
import dev.herald.platform.Refused;
import dev.herald.platform.personaldata.DataSubject;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * Who a request is about, as every capability's holder looks them up: the address's key ({@link EmailAddress#key}),
 * its digest ({@link AddressDigest}) and the organization's subscriber with that key, found through audiences' public
 * API before any holder runs (so the capabilities to its right can still find their rows by subscriber id).
 */
@Component
class DataSubjects {
  private final Subscribers subscribers;

  DataSubjects(Subscribers subscribers) {
    this.subscribers = subscribers;
  }

  DataSubject of(long organizationId, String address) {
    EmailAddress parsed = switch (EmailAddress.parse(address)) {
      case EmailAddress.Valid v -> v.address();
      case EmailAddress.Invalid i -> throw Refused.invalid("address", "Not a valid email address: " + i.reason() + ".");
    };
    List<Long> ids = subscribers.findByEmail(organizationId, parsed.address()).map(s -> List.of(s.id())).orElse(List.of());
    return new DataSubject(organizationId, parsed.address(), parsed.key(), AddressDigest.of(parsed.key()), ids);
  }
}
