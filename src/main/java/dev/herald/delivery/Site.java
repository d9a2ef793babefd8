package dev.herald.delivery;

import java.util.Objects;

/**
 * A destination as traffic shaping sees it: every recipient domain whose MX hosts are the same
 * servers, like KumoMTA's "site" (an MX rollup). All of Gmail is one site however many domains
 * it hosts, so its limits hold across them.
 *
 * @param name the provider's name ({@code google}), an operator's MX suffix ({@code .example.net}),
 *     or the MX host names, sorted and joined by commas
 */
record Site(String name, Shaping shaping) {
  Site {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(shaping, "shaping");
  }
}
