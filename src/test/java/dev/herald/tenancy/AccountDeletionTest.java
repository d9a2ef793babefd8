package dev.herald.tenancy;

import static dev.herald.tenancy.Fixtures.signedIn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;

/**
 * Issue 13: a person deletes their own account. Refused while they are the last owner of an organization; otherwise
 * their memberships, sessions, sign-in history and two-factor data go, and the audit log keeps their actions without
 * their address or IP address.
 */
@SpringBootTest
@AutoConfigureMockMvc
@Import(Fixtures.class)
class AccountDeletionTest {
  @Autowired MockMvc mvc;
  @Autowired Fixtures fixtures;
  @Autowired JdbcClient jdbc;
  @Autowired AuditLog audit;
  @Autowired Organizations organizations;

  static int counter;

  long count(String sql, Object... params) {
    return jdbc.sql(sql).params(params).query(Long.class).single();
  }

  MvcResult delete(HeraldUser user, String password) throws Exception {
    return mvc.perform(post("/account/delete").param("password", password).with(signedIn(user)).with(csrf())).andReturn();
  }

  static Object error(MvcResult r, String field) {
    return r.getFlashMap().get("errors") instanceof Map<?, ?> m ? m.get(field) : null;
  }

  @Test
  void the_last_owner_of_an_organization_is_refused_with_what_to_do() throws Exception {
    counter++;
    HeraldUser owner = fixtures.person("last-owner" + counter + "@delete.test");
    Organizations.Organization org = fixtures.organization("Only Owner " + counter, owner);

    MvcResult refused = delete(owner, Fixtures.PASSWORD);

    assertThat(refused.getResponse().getRedirectedUrl()).isEqualTo("/account#delete-account");
    assertThat(error(refused, "account").toString()).contains("last owner of " + org.name()).contains("close the organization");
    assertThat(count("select count(*) from app_user where id = ?", owner.id())).isEqualTo(1);
    assertThat(count("select count(*) from membership where user_id = ?", owner.id())).isEqualTo(1);

    MvcResult wrongPassword = delete(owner, "not my password");
    assertThat(error(wrongPassword, "deletePassword")).isNotNull();
  }

  @Test
  void a_member_deletes_their_account_and_their_personal_data_goes() throws Exception {
    counter++;
    HeraldUser owner = fixtures.person("owner" + counter + "@delete.test");
    Organizations.Organization org = fixtures.organization("Two Owners " + counter, owner);
    HeraldUser leaving = fixtures.person("Leaving.Person" + counter + "@delete.test");
    organizations.addMember(org.id(), leaving.id(), Role.owner);
    audit.recordAs(org.id(), leaving.id(), leaving.email(), "list.created", "list", 1, "News", "198.51.100.9");
    jdbc.sql("insert into login_event (user_id, email, ip, success) values (?, ?, '198.51.100.9', true)").params(leaving.id(), leaving.email()).update();
    jdbc.sql("insert into login_event (user_id, email, ip, success) values (null, ?, '198.51.100.9', false)").param(leaving.email().toLowerCase()).update();

    MvcResult deleted = delete(leaving, Fixtures.PASSWORD);

    assertThat(deleted.getResponse().getRedirectedUrl()).isEqualTo("/login?deleted");
    assertThat(count("select count(*) from app_user where id = ?", leaving.id())).isZero();
    assertThat(count("select count(*) from membership where user_id = ?", leaving.id())).isZero();
    assertThat(count("select count(*) from login_event where lower(email) = lower(?)", leaving.email())).isZero();
    assertThat(count("select count(*) from audit_event where lower(actor) = lower(?) or ip = '198.51.100.9'", leaving.email())).isZero();
    assertThat(count("select count(*) from audit_event where organization_id = ? and action = 'list.created' and actor = 'deleted user'",
        org.id())).as("the organization's log keeps what was done").isEqualTo(1);
    assertThat(count("select count(*) from audit_event where detail ilike ?", "%" + leaving.email() + "%")).isZero();
    assertThat(count("select count(*) from membership where organization_id = ?", org.id())).as("the other owner stays").isEqualTo(1);
  }
}
