package io.vitrine.learner.rest;

import io.micrometer.core.instrument.config.MeterFilter;
import io.vitrine.service.HttpLatencyBuckets;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** HTTP latency histograms with buckets ({@link HttpLatencyBuckets}), for p99 of the posterior endpoint. */
@Singleton
public class HttpHistograms {

    @Produces
    @Singleton
    MeterFilter httpServerBuckets() {
        return HttpLatencyBuckets.filter();
    }
}
