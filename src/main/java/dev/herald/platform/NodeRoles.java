package dev.herald.platform;

import java.util.EnumSet;
import java.util.Set;
import org.springframework.stereotype.Component;

/** The roles this node was started with; capabilities ask before starting role-bound work. */
@Component
public class NodeRoles {
  private final Set<NodeRole> roles;

  public NodeRoles(HeraldProperties properties) {
    this.roles = EnumSet.copyOf(properties.roles());
  }

  public boolean has(NodeRole role) {
    return roles.contains(role);
  }

  public Set<NodeRole> all() {
    return EnumSet.copyOf(roles);
  }
}
