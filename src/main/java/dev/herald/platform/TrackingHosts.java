package dev.herald.platform;

import java.util.OptionalLong;

/**
 * Port: the organizations' own tracking hosts ({@code track.<their domain>}, a CNAME to the installation's tracking host
 * that checked ok), which the origin filter serves only tracking on. Implemented by the tracking capability from the
 * domains' checks.
 */
public interface TrackingHosts {
  /** The organization whose verified tracking host this is (lower case, no port, no trailing dot); empty when none. */
  OptionalLong organizationOf(String host);
}
