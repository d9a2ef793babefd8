package dev.herald.tenancy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.platform.Refused;
import dev.herald.testsupport.WebClient;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * What the security probe found in memberships and groups: owners racing each other out of an
 * organization, and members handing out (or taking) permissions they do not hold.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(Fixtures.class)
class MembershipSecurityTest {
  @LocalServerPort int port;
  @Autowired Fixtures fixtures;
  @Autowired Members members;
  @Autowired Groups groups;
  @Autowired Organizations organizations;
  @Autowired Invitations invitations;
  @Autowired ApiKeys apiKeys;
  @Autowired JdbcClient jdbc;

  /** Runs both at the same moment (a latch releases them together), each in its own transaction; returns what each threw. */
  private List<Throwable> atOnce(Runnable first, Runnable second) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Throwable>> results = new ArrayList<>();
      for (Runnable r : List.of(first, second)) {
        results.add(pool.submit(() -> {
          start.await();
          try {
            r.run();
            return null;
          } catch (RuntimeException e) {
            return e;
          }
        }));
      }
      start.countDown();
      List<Throwable> thrown = new ArrayList<>();
      for (Future<Throwable> f : results) thrown.add(f.get(30, TimeUnit.SECONDS));
      return thrown;
    } finally {
      pool.shutdownNow();
    }
  }

  private int owners(long orgId) {
    return organizations.countOwners(orgId);
  }

  @Test
  void two_owners_demoting_each_other_at_the_same_moment_leave_one_owner() throws Exception {
    for (int round = 0; round < 10; round++) {
      HeraldUser a = fixtures.person("a" + round + "@demote.test");
      Organizations.Organization org = fixtures.organization("Demote " + round, a);
      HeraldUser b = fixtures.member(org, "b" + round + "@demote.test", Role.owner);

      List<Throwable> thrown = atOnce(() -> members.changeRole(org.id(), a.id(), b.id(), "admin"),
          () -> members.changeRole(org.id(), b.id(), a.id(), "admin"));

      assertThat(owners(org.id())).as("round %d", round).isEqualTo(1);
      assertThat(thrown).as("one of the two is refused").filteredOn(t -> t instanceof Refused).hasSize(1);
    }
  }

  @Test
  void two_owners_removing_each_other_at_the_same_moment_leave_one_owner() throws Exception {
    for (int round = 0; round < 10; round++) {
      HeraldUser a = fixtures.person("a" + round + "@remove.test");
      Organizations.Organization org = fixtures.organization("Remove " + round, a);
      HeraldUser b = fixtures.member(org, "b" + round + "@remove.test", Role.owner);

      atOnce(() -> members.remove(org.id(), a.id(), b.id()), () -> members.remove(org.id(), b.id(), a.id()));

      assertThat(owners(org.id())).as("round %d", round).isEqualTo(1);
      assertThat(organizations.members(org.id())).hasSize(1);
    }
  }

  @Test
  void the_last_owner_can_neither_step_down_nor_be_removed() {
    HeraldUser owner = fixtures.person("only@owner.test");
    Organizations.Organization org = fixtures.organization("Only Owner", owner);
    assertThatThrownBy(() -> members.changeRole(org.id(), owner.id(), owner.id(), "admin")).isInstanceOf(Refused.class)
        .hasMessageContaining("at least one owner");
    assertThatThrownBy(() -> members.remove(org.id(), owner.id(), owner.id())).isInstanceOf(Refused.class);
    assertThat(organizations.roleOf(org.id(), owner.id())).contains(Role.owner);
  }

  @Test
  void an_admin_cannot_create_a_group_granting_billing_write_nor_join_the_owners_one() {
    HeraldUser owner = fixtures.person("owner@groups.test");
    Organizations.Organization org = fixtures.organization("Groups Co", owner);
    HeraldUser admin = fixtures.member(org, "admin@groups.test", Role.admin);

    assertThatThrownBy(() -> groups.create(org.id(), admin.id(), "Billing", List.of("billing:write")))
        .isInstanceOf(Refused.class).hasMessageContaining("billing:write");
    assertThat(groups.list(org.id())).isEmpty();

    long billing = groups.create(org.id(), owner.id(), "Billing", List.of("billing:write"));
    assertThatThrownBy(() -> groups.update(org.id(), admin.id(), billing, List.of("billing:write"), List.of(admin.id())))
        .isInstanceOf(Refused.class);
    assertThatThrownBy(() -> groups.update(org.id(), admin.id(), billing, List.of(), List.of(admin.id())))
        .as("nor strip the owner's group to join it").isInstanceOf(Refused.class);
    assertThat(organizations.permissionsOf(org.id(), admin.id())).doesNotContain(Permission.BILLING_WRITE);

    long reports = groups.create(org.id(), admin.id(), "Reports", List.of("reports:read", "lists:write"));
    assertThat(groups.update(org.id(), admin.id(), reports, List.of("lists:write"), List.of(admin.id()))).isTrue();
  }

  @Test
  void a_viewer_whose_group_grants_members_write_cannot_promote_herself_or_anyone_to_admin() {
    HeraldUser owner = fixtures.person("owner@promote.test");
    Organizations.Organization org = fixtures.organization("Promote Co", owner);
    HeraldUser viewer = fixtures.member(org, "viewer@promote.test", Role.viewer);
    HeraldUser other = fixtures.member(org, "other@promote.test", Role.viewer);
    long managers = groups.create(org.id(), owner.id(), "Managers", List.of("members:write"));
    groups.update(org.id(), owner.id(), managers, List.of("members:write"), List.of(viewer.id()));

    WebClient web = new WebClient(port);
    assertThat(web.submit("/login", "/login", Map.of("email", "viewer@promote.test", "password", Fixtures.PASSWORD)).locationPath())
        .isEqualTo("/dashboard");
    web.get("/o/" + org.slug() + "/members");
    WebClient.Page self = web.post("/o/" + org.slug() + "/members/" + viewer.id() + "/role", Map.of("role", "admin"));
    assertThat(web.get(self.locationPath()).body()).contains("cannot raise your own role");
    web.post("/o/" + org.slug() + "/members/" + other.id() + "/role", Map.of("role", "member"));
    web.post("/o/" + org.slug() + "/members/invite", Map.of("email", "friend@promote.test", "role", "admin"));

    assertThat(organizations.roleOf(org.id(), viewer.id())).contains(Role.viewer);
    assertThat(organizations.roleOf(org.id(), other.id())).as("member holds lists:write, which she does not").contains(Role.viewer);
    assertThat(invitations.open(org.id())).as("nor an invitation as admin").isEmpty();
    assertThatThrownBy(() -> members.remove(org.id(), viewer.id(), owner.id())).isInstanceOf(Refused.class);
  }

  @Test
  void a_member_cannot_raise_herself_even_to_a_role_her_groups_already_cover() {
    HeraldUser owner = fixtures.person("owner@cover.test");
    Organizations.Organization org = fixtures.organization("Cover Co", owner);
    HeraldUser admin = fixtures.member(org, "admin@cover.test", Role.admin);
    HeraldUser viewer = fixtures.member(org, "viewer@cover.test", Role.viewer);
    long all = groups.create(org.id(), admin.id(), "Almost admin",
        Role.admin.permissions().stream().map(Permission::code).toList());
    groups.update(org.id(), admin.id(), all, Role.admin.permissions().stream().map(Permission::code).toList(), List.of(viewer.id()));

    assertThatThrownBy(() -> members.changeRole(org.id(), viewer.id(), viewer.id(), "admin")).isInstanceOf(Refused.class);
    assertThat(members.changeRole(org.id(), admin.id(), viewer.id(), "member")).as("someone else may").isEqualTo(Role.member);
    assertThat(members.changeRole(org.id(), viewer.id(), viewer.id(), "viewer")).as("stepping down is fine").isEqualTo(Role.viewer);
  }

  @Test
  void a_key_gets_no_scope_whose_permissions_its_creator_does_not_hold() {
    HeraldUser owner = fixtures.person("owner@keys.test");
    Organizations.Organization org = fixtures.organization("Keys Co", owner);
    EnumSet<Permission> viewerWithKeys = EnumSet.copyOf(Role.viewer.permissions());
    viewerWithKeys.add(Permission.API_KEYS_WRITE);
    assertThatThrownBy(() -> apiKeys.create(org.id(), owner.id(), viewerWithKeys, "sneaky", List.of("privacy"), List.of()))
        .isInstanceOf(Refused.class);
    assertThat(apiKeys.create(org.id(), owner.id(), viewerWithKeys, "fine", List.of("lists:read"), List.of()).key().scopes())
        .containsExactly("lists:read");
  }

  @Test
  void only_an_owner_puts_account_export_on_a_key_and_no_group_gives_it() {
    HeraldUser owner = fixtures.person("owner@export-scope.test");
    Organizations.Organization org = fixtures.organization("Export Scope Co", owner);
    HeraldUser admin = fixtures.member(org, "admin@export-scope.test", Role.admin);
    HeraldUser member = fixtures.member(org, "member@export-scope.test", Role.member);

    assertThat(apiKeys.create(org.id(), owner.id(), Role.owner.permissions(), "export", List.of("account:export"), List.of()).key().scopes())
        .containsExactly("account:export");
    assertThat(Role.admin.permissions()).doesNotContain(Permission.ACCOUNT_EXPORT);
    assertThatThrownBy(() -> apiKeys.create(org.id(), admin.id(), Role.admin.permissions(), "admin's", List.of("account:export"), List.of()))
        .isInstanceOf(Refused.class).hasMessageContaining("hold yourself");
    // Even holding every permission (as a group of the owner's could give), someone who is not an owner is refused.
    assertThatThrownBy(() -> apiKeys.create(org.id(), member.id(), EnumSet.allOf(Permission.class), "member's", List.of("account:export"),
        List.of())).isInstanceOf(Refused.class).hasMessageContaining("Only an owner");
    assertThatThrownBy(() -> apiKeys.create(org.id(), null, EnumSet.allOf(Permission.class), "keyless", List.of("account:export"), List.of()))
        .isInstanceOf(Refused.class).hasMessageContaining("Only an owner");
    assertThatThrownBy(() -> groups.create(org.id(), owner.id(), "Exporters", List.of("account:export")))
        .isInstanceOf(Refused.class).hasMessageContaining("no group can give it");
    assertThat(ApiScope.permissionsOf(List.of("privacy"))).as("the privacy scope handles one person's requests, not the whole organization")
        .doesNotContain(Permission.ACCOUNT_EXPORT);
  }
}
