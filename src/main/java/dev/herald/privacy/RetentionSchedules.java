package dev.herald.privacy;

import dev.herald.platform.Refused;
import dev.herald.platform.TextEnum;
import dev.herald.platform.personaldata.RetentionCategory;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.Period;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * How long each retention category of the personal-data map is kept: the operator's schedule (RetentionCategory's
 * default until the operator sets one) and an organization's shorter schedule for itself. A schedule is a
 * {@link Period}; "shorter" is judged by the cutoff it gives now, and the engine always uses the earlier-ending of the
 * two at run time, so an organization can never keep anything longer than the operator's schedule.
 */
@Service
public class RetentionSchedules {
  /** Nothing is kept for longer than this: a typo such as 3000 years is refused, not stored. */
  static final Period LONGEST = Period.ofYears(100);
  private static final Pattern WORDS = Pattern.compile("(\\d{1,6})\\s*(days|day|d|months|month|years|year|y)");

  private final JdbcClient jdbc;
  private final Clock clock;

  RetentionSchedules(JdbcClient jdbc, Clock clock) {
    this.jdbc = jdbc;
    this.clock = clock;
  }

  /** The categories with a schedule: all but {@link RetentionCategory#ACCOUNT_LIFETIME}. */
  public static List<RetentionCategory> scheduled() {
    return Arrays.stream(RetentionCategory.values()).filter(c -> c.defaultPeriod() != null).toList();
  }

  /** The operator's schedule of one category; {@code operatorSet} false when it is RetentionCategory's default. */
  public record Schedule(RetentionCategory category, String period, String periodText, boolean operatorSet, String defaultText) {
    static Schedule of(RetentionCategory category, Period period, boolean operatorSet) {
      return new Schedule(category, period.toString(), describe(period), operatorSet, describe(category.defaultPeriod()));
    }

    Period value() {
      return Period.parse(period);
    }
  }

  /** A category as it applies to one organization: the installation's schedule, the organization's own if shorter. */
  public record OrganizationSchedule(RetentionCategory category, String installationPeriod, String installationText,
      String ownPeriod, String ownText, String appliesText) {}

  /** Every scheduled category with its operator's schedule, in the enum's order. */
  @Transactional(readOnly = true)
  public List<Schedule> operatorSchedules() {
    Map<RetentionCategory, Period> set = new EnumMap<>(RetentionCategory.class);
    jdbc.sql("select category, period from retention_schedule").query((java.sql.ResultSet rs) -> {
      set.put(category(rs.getString(1)), Period.parse(rs.getString(2)));
    });
    List<Schedule> schedules = new ArrayList<>();
    for (RetentionCategory c : scheduled()) {
      schedules.add(set.containsKey(c) ? Schedule.of(c, set.get(c), true) : Schedule.of(c, c.defaultPeriod(), false));
    }
    return schedules;
  }

  /** The operator's schedule of one category. */
  public Period operatorPeriod(RetentionCategory category) {
    return operatorSchedules().stream().filter(s -> s.category() == category).findFirst().orElseThrow().value();
  }

  /** Sets the operator's schedule of a category (the installation's, for every organization). */
  @Transactional
  public Schedule setOperator(String categoryText, String periodText) {
    RetentionCategory category = scheduledCategory(categoryText);
    Period period = parse("period", periodText);
    jdbc.sql("""
        insert into retention_schedule (category, period, changed_at) values (?, ?, ?)
        on conflict (category) do update set period = excluded.period, changed_at = excluded.changed_at""")
        .params(category.text(), period.toString(), Timestamp.from(clock.instant())).update();
    return Schedule.of(category, period, true);
  }

  /** Every scheduled category as it applies to the organization. */
  @Transactional(readOnly = true)
  public List<OrganizationSchedule> forOrganization(long organizationId) {
    Map<RetentionCategory, Period> own = overridesOf(organizationId);
    List<OrganizationSchedule> result = new ArrayList<>();
    for (Schedule s : operatorSchedules()) {
      Period mine = own.get(s.category());
      Period applies = mine != null && shorter(mine, s.value()) ? mine : s.value();
      result.add(new OrganizationSchedule(s.category(), s.period(), s.periodText(), mine == null ? null : mine.toString(),
          mine == null ? null : describe(mine), describe(applies)));
    }
    return result;
  }

  /**
   * Shortens a category for the organization; a blank period goes back to the installation's schedule. A period that
   * is not shorter than the installation's is refused: an organization may keep less, never more.
   */
  @Transactional
  public List<OrganizationSchedule> setForOrganization(long organizationId, String categoryText, String periodText) {
    RetentionCategory category = scheduledCategory(categoryText);
    if (periodText == null || periodText.isBlank()) {
      jdbc.sql("delete from retention_override where organization_id = ? and category = ?").params(organizationId, category.text()).update();
      return forOrganization(organizationId);
    }
    Period period = parse("period", periodText);
    Period installation = operatorPeriod(category);
    if (!shorter(period, installation)) {
      throw Refused.invalid("period", notShorter(category, period, installation, clock.instant()));
    }
    jdbc.sql("""
        insert into retention_override (organization_id, category, period, changed_at) values (?, ?, ?, ?)
        on conflict (organization_id, category) do update set period = excluded.period, changed_at = excluded.changed_at""")
        .params(organizationId, category.text(), period.toString(), Timestamp.from(clock.instant())).update();
    return forOrganization(organizationId);
  }

  /**
   * Why an organization's period was refused: the category, the installation's limit and what was given, in the
   * limit's words. When one is in days and the other in months or years ("2 months" against "60 days"), the latter is
   * also given in days as of now, since which of the two is longer then depends on the calendar.
   */
  static String notShorter(RetentionCategory category, Period given, Period limit, Instant now) {
    // Whichever of the two is in months or years is also given in days, when the other is in days.
    String limitText = describe(limit) + (inDays(given) && !inDays(limit) ? " (" + daysBack(now, limit) + " days as of today)" : "");
    String givenText = describe(given) + (inDays(limit) && !inDays(given) ? " (" + daysBack(now, given) + " days as of today)" : "");
    return "period for " + category.text() + " must be less than the installation's " + limitText + "; " + givenText
        + " was given. An organization may shorten a schedule, not lengthen it.";
  }

  /** A period of days alone (not months or years). */
  private static boolean inDays(Period p) {
    return p.getYears() == 0 && p.getMonths() == 0;
  }

  private static long daysBack(Instant now, Period p) {
    return java.time.temporal.ChronoUnit.DAYS.between(cutoff(now, p), now);
  }

  /** The organizations that set their own schedule for the category, with it. */
  Map<Long, Period> overrides(RetentionCategory category) {
    Map<Long, Period> overrides = new HashMap<>();
    jdbc.sql("select organization_id, period from retention_override where category = ? order by organization_id").param(category.text())
        .query((java.sql.ResultSet rs) -> {
          overrides.put(rs.getLong(1), Period.parse(rs.getString(2)));
        });
    return overrides;
  }

  private Map<RetentionCategory, Period> overridesOf(long organizationId) {
    Map<RetentionCategory, Period> own = new EnumMap<>(RetentionCategory.class);
    jdbc.sql("select category, period from retention_override where organization_id = ?").param(organizationId)
        .query((java.sql.ResultSet rs) -> {
          own.put(category(rs.getString(1)), Period.parse(rs.getString(2)));
        });
    return own;
  }

  /** Whether {@code a} keeps less than {@code b} now: its cutoff is later. */
  boolean shorter(Period a, Period b) {
    return cutoff(clock.instant(), a).isAfter(cutoff(clock.instant(), b));
  }

  /** What a schedule keeps at {@code now}: rows created before the answer go (calendar arithmetic in UTC). */
  static Instant cutoff(Instant now, Period period) {
    return now.atZone(ZoneOffset.UTC).minus(period).toInstant();
  }

  /** "30 days", "1 year and 6 months". */
  public static String describe(Period p) {
    List<String> parts = new ArrayList<>();
    if (p.getYears() != 0) parts.add(p.getYears() + (p.getYears() == 1 ? " year" : " years"));
    if (p.getMonths() != 0) parts.add(p.getMonths() + (p.getMonths() == 1 ? " month" : " months"));
    if (p.getDays() != 0 || parts.isEmpty()) parts.add(p.getDays() + (p.getDays() == 1 ? " day" : " days"));
    return String.join(" and ", parts);
  }

  /**
   * A schedule as a person or a client writes it: an ISO-8601 period ({@code P30D}, {@code P1Y6M}) or words
   * ({@code 30 days}, {@code 1 year 6 months}). At least one day, at most {@link #LONGEST}.
   */
  static Period parse(String field, String text) {
    String problem = field + " must be a period such as '30 days', '6 months', '1 year' or P30D, from 1 day to 100 years.";
    if (text == null || text.isBlank()) throw Refused.invalid(field, problem);
    String t = text.strip().toLowerCase(Locale.ROOT);
    Period period;
    if (t.startsWith("p")) {
      try {
        period = Period.parse(t.toUpperCase(Locale.ROOT));
      } catch (DateTimeParseException e) {
        throw Refused.invalid(field, problem);
      }
    } else {
      period = Period.ZERO;
      Matcher m = WORDS.matcher(t);
      int at = 0;
      while (m.find() && m.start() == at) {
        int n = Integer.parseInt(m.group(1));
        period = switch (m.group(2).charAt(0)) {
          case 'd' -> period.plusDays(n);
          case 'm' -> period.plusMonths(n);
          default -> period.plusYears(n);
        };
        at = m.end();
        while (at < t.length() && (t.charAt(at) == ' ' || t.charAt(at) == ',')) at++;
        if (t.startsWith("and ", at)) at += 4;
      }
      if (at != t.length()) throw Refused.invalid(field, problem);
    }
    if (period.isNegative() || period.isZero()) throw Refused.invalid(field, problem);
    Instant now = Instant.parse("2000-01-01T00:00:00Z");
    if (cutoff(now, period).isBefore(cutoff(now, LONGEST))) throw Refused.invalid(field, problem);
    return period;
  }

  private static RetentionCategory scheduledCategory(String text) {
    RetentionCategory category = TextEnum.parse(RetentionCategory.class, "category", text);
    if (category == null) throw Refused.invalid("category", "category is one of " + TextEnum.texts(RetentionCategory.class) + ".");
    if (category.defaultPeriod() == null) {
      throw Refused.invalid("category", "category '" + category.text() + "' has no schedule: it lives as long as the account");
    }
    return category;
  }

  private static RetentionCategory category(String text) {
    return TextEnum.find(RetentionCategory.class, text).orElseThrow();
  }
}
