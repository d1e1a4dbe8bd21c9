// The sRGB transfer function (IEC 61966-2-1), linear light -> sRGB-encoded, clamped to 0..1.
vec3 srgb_encode(vec3 linear) {
    vec3 c = clamp(linear, 0.0, 1.0);
    return mix(c * 12.92, 1.055 * pow(c, vec3(1.0 / 2.4)) - 0.055, step(vec3(0.0031308), c));
}

// Its inverse, sRGB-encoded -> linear light, clamped to 0..1.
vec3 srgb_decode(vec3 encoded) {
    vec3 c = clamp(encoded, 0.0, 1.0);
    return mix(c / 12.92, pow((c + 0.055) / 1.055, vec3(2.4)), step(vec3(0.04045), c));
}
