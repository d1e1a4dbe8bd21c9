// What both NV12 passes read: the program frame (premultiplied, so its colour is the frame
// composited over black) as sRGB-encoded RGB, and the BT.709 luma weights.
uniform sampler2D u_frame;
uniform bool u_linear;  // the frame holds linear light: encode to sRGB first

vec3 rgb_at(ivec2 p) {
    vec3 rgb = clamp(texelFetch(u_frame, p, 0).rgb, 0.0, 1.0);
    return u_linear ? srgb_encode(rgb) : rgb;
}

const vec3 LUMA = vec3(0.2126, 0.7152, 0.0722);
