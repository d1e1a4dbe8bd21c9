// The program frame as straight (un-premultiplied) sRGB RGBA8, for previews and tests.
#version 430 core

#section VERTEX_SHADER
#include "lib/fullscreen_triangle.glsl"

#section FRAGMENT_SHADER
uniform sampler2D u_frame;  // the working framebuffer: premultiplied, sRGB or linear light
uniform bool u_linear;
out vec4 out_color;

#include "lib/srgb.glsl"

void main() {
    vec4 px = clamp(texelFetch(u_frame, ivec2(gl_FragCoord.xy), 0), 0.0, 1.0);
    vec3 straight = px.a > 0.0 ? px.rgb / px.a : vec3(0.0);
    out_color = vec4(u_linear ? srgb_encode(straight) : straight, px.a);
}
