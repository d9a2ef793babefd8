package dev.herald.delivery;

import dev.herald.platform.OrganizationArchive;
import org.springframework.stereotype.Component;

/**
 * Delivery's part of an organization's export: the delivery servers assigned to it (host, port, user: never the
 * password) and the delivery log (messages without their content, each recipient's state, each attempt's reply).
 */
@Component
public class DeliveryAccountExport implements OrganizationArchive.Part {

  @Override
  public String capability() {
    return "delivery";
  }

  @Override
  public void export(long organizationId, OrganizationArchive archive) {
    archive.table("delivery", "delivery_servers", "Delivery servers assigned to the organization (passwords are not exported)", """
        select a.id as assignment_id, a.sending_domain, s.name, s.host, s.port, s.tls_mode, s.verify_certificate, s.auth_user,
               a.created_at
        from delivery_server_assignment a join delivery_server s on s.id = a.server_id
        where a.organization_id = ? order by a.id""", organizationId);
    archive.table("delivery", "messages", "The delivery log: messages sent (without their content)", """
        select id, source, from_address, subject, header_message_id, header_date, tags, metadata, created_at
        from outbound_message where organization_id = ? order by id""", organizationId);
    archive.table("delivery", "recipients", "The delivery log: each recipient of each message and its state", """
        select message_id, id as recipient_id, kind, address, domain, state, attempts, last_reply, last_attempt_at, finished_at, created_at
        from outbound_recipient where organization_id = ? order by message_id, id""", organizationId);
    archive.table("delivery", "attempts", "The delivery log: each delivery attempt and the receiving server's reply", """
        select message_id, recipient_id, attempted_at, server_host, server_ip, source_ip, reply_code, enhanced_code, reply_text, outcome,
               duration_ms
        from outbound_attempt where organization_id = ? order by id""", organizationId);
  }
}
