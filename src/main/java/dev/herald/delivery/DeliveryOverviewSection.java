package dev.herald.delivery;

import dev.herald.tenancy.OrganizationContext;
import dev.herald.tenancy.OverviewSection;
import dev.herald.tenancy.Permission;
import java.util.Optional;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/** Sending's part of the organization's overview: the last 24 hours, for members who may see sent messages. */
@Component
@Order(20)
class DeliveryOverviewSection implements OverviewSection {
  private final MessageLog log;

  DeliveryOverviewSection(MessageLog log) {
    this.log = log;
  }

  @Override
  public Optional<Drawn> draw(OrganizationContext org) {
    if (!org.can(Permission.MESSAGES_READ)) return Optional.empty();
    return Optional.of(new Drawn("delivery/overview", log.lastDay(org.id())));
  }
}
