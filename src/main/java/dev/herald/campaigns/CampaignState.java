package dev.herald.campaigns;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.herald.platform.TextEnum;

/**
 * Where a campaign is: {@code campaign.state}. A draft is edited and scheduled; the scheduler starts a scheduled one
 * at its time (fixing its audience into the ledger); a sending one hands its ledger to the queue until every row is
 * handed off and the queue has finished them; it may be paused and resumed, or cancelled, on the way.
 */
public enum CampaignState implements TextEnum {
  DRAFT("draft"),
  /** Waiting for its start time; its audience is not fixed yet. */
  SCHEDULED("scheduled"),
  /** Its audience is fixed in the ledger and being handed to the queue, or the queue is delivering it. */
  SENDING("sending"),
  /** Nothing more is handed off and the queue holds its rows until it is resumed. */
  PAUSED("paused"),
  /** Stopped for good: rows not handed off stay pending, the queue's waiting rows are deleted. */
  CANCELLED("cancelled"),
  /** Every ledger row handed off (or skipped) and the queue has none of them waiting. */
  FINISHED("finished");

  private final String text;

  CampaignState(String text) {
    this.text = text;
  }

  @JsonValue
  @Override
  public String text() {
    return text;
  }

  @Override
  public String toString() {
    return text;
  }

  /** Its audience and content may still change. */
  public boolean editable() {
    return this == DRAFT || this == SCHEDULED;
  }

  /** Started and not over: its ledger exists and its queue rows may be waiting. */
  public boolean started() {
    return this == SENDING || this == PAUSED;
  }

  /** Over for good. */
  public boolean ended() {
    return this == CANCELLED || this == FINISHED;
  }

  /** As the panel shows it. */
  public String words() {
    return switch (this) {
      case DRAFT -> "Draft";
      case SCHEDULED -> "Scheduled";
      case SENDING -> "Sending";
      case PAUSED -> "Paused";
      case CANCELLED -> "Cancelled";
      case FINISHED -> "Finished";
    };
  }
}
