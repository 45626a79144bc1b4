package dev.switchboard.client.internal;

import java.util.List;

/**
 * Opens the client's channel over its URLs. Apart from {@link FailoverChannel} so that the failover knows only
 * {@link Endpoint}s, not the transports behind them (the HTTP channel itself fails over with one).
 */
final class Channels {
    private Channels() {}

    /** The channel for {@code settings}' URLs: HTTP for {@code http(s)://}, TCP for {@code sb(s)://}, in order. */
    static FailoverChannel open(ChannelSettings settings) {
        HttpChannel http = new HttpChannel(settings);
        List<Endpoint> endpoints = settings.urls().stream()
                .map(url -> ChannelSettings.isTcp(url) ? new TcpEndpoint(url, settings) : http.endpoint(url))
                .toList();
        return new FailoverChannel(endpoints, List.of(http));
    }
}
