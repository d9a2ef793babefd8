package dev.herald.campaigns;

import dev.herald.audiences.AudienceSelection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.OptionalLong;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * How many people an audience has now: the subscribed, unsuppressed, distinct people its start would fix into the
 * ledger ({@link AudienceSelection#count}), for the form's live estimate and the API. The count reads as many rows as
 * the start does, so it stops after {@link #BOUND}: an audience of millions, asked on every click, must not hold a
 * connection for long.
 */
@Component
class AudienceEstimates {
  static final Duration BOUND = Duration.ofSeconds(5);
  /** PostgreSQL's SQLSTATE for a statement cancelled by its timeout. */
  private static final String QUERY_CANCELED = "57014";
  private final AudienceSelection selection;
  private final JdbcClient jdbc;
  private final TransactionTemplate tx;

  AudienceEstimates(AudienceSelection selection, JdbcClient jdbc, PlatformTransactionManager transactions) {
    this.selection = selection;
    this.jdbc = jdbc;
    this.tx = new TransactionTemplate(transactions);
    this.tx.setReadOnly(true);
  }

  /** The number of people, or empty when counting them took longer than {@link #BOUND}. */
  OptionalLong count(long orgId, Campaign.Audience a) {
    return count(orgId, a, BOUND);
  }

  OptionalLong count(long orgId, Campaign.Audience a, Duration bound) {
    if (a.isEmpty()) return OptionalLong.of(0);
    try {
      return OptionalLong.of(tx.execute(status -> {
        // SET LOCAL: the pooled connection keeps its own setting after this transaction
        jdbc.sql("select set_config('statement_timeout', ?, true)").param(Long.toString(bound.toMillis())).query(String.class).single();
        return selection.count(orgId, new AudienceSelection.Selection(a.lists(), a.segments(), a.excludedLists(), a.excludedSegments()));
      }));
    } catch (RuntimeException e) {
      if (timedOut(e)) return OptionalLong.empty();
      throw e;
    }
  }

  private static boolean timedOut(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s && QUERY_CANCELED.equals(s.getSQLState())) return true;
    }
    return false;
  }
}
