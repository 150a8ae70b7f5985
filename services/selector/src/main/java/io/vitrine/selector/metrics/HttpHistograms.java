package io.vitrine.selector.metrics;

import io.micrometer.core.instrument.config.MeterFilter;
import io.vitrine.service.HttpLatencyBuckets;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** HTTP latency histograms with buckets ({@link HttpLatencyBuckets}), for p99 of the decision endpoint. */
@Singleton
public class HttpHistograms {

    @Produces
    @Singleton
    MeterFilter httpServerBuckets() {
        return HttpLatencyBuckets.filter();
    }
}
