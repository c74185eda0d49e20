/**
 * Configuration: anycable-go option names ({@code ANYCABLE_*}) read from system properties, the
 * environment and servlet context init parameters, validated once at start-up into immutable records.
 */
package io.jcable.config;
