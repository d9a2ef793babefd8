package dev.herald.tenancy;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Instant;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The operator's REST API for people: list and lock or unlock an account (signed-in operator only, never an API key). */
@RestController
@Tag(name = "Operator", description = "The installation's people, for its operator")
class OperatorApi {
  private final OperatorUsers operatorUsers;

  OperatorApi(OperatorUsers operatorUsers) {
    this.operatorUsers = operatorUsers;
  }

  /** An account as the operator sees it; never its password hash or second-factor secret. */
  record UserView(long id, String email, String displayName, boolean operator, boolean locked, Instant lockedAt) {
    static UserView of(Users.User u) {
      return new UserView(u.id(), u.email(), u.displayName(), u.operator(), u.operatorLockedAt() != null, u.operatorLockedAt());
    }
  }

  @GetMapping("/api/v1/operator/users")
  @Operation(summary = "People of the installation, newest first; q filters by part of the address or name")
  Users.ListPage users(@RequestParam(defaultValue = "") String q, @RequestParam(defaultValue = "0") int page,
      @RequestParam(defaultValue = "50") int size) {
    return operatorUsers.search(q, page, size);
  }

  @PostMapping("/api/v1/operator/users/{id}/lock")
  @Operation(summary = "Lock an account: its sessions end at once and it cannot sign in until unlocked")
  UserView lock(@AuthenticationPrincipal HeraldUser me, @PathVariable long id) {
    return UserView.of(operatorUsers.lock(me.id(), id));
  }

  @PostMapping("/api/v1/operator/users/{id}/unlock")
  @Operation(summary = "Unlock an account the operator locked")
  UserView unlock(@PathVariable long id) {
    return UserView.of(operatorUsers.unlock(id));
  }
}
