// The program frame as straight (un-premultiplied) sRGB RGBA8, for previews and tests.
#version 430 core

#section VERTEX_SHADER
void main() {
    // One triangle covering the viewport, no vertex buffer.
    vec2 corner = vec2(float((gl_VertexID << 1) & 2), float(gl_VertexID & 2));
    gl_Position = vec4(corner * 2.0 - 1.0, 0.0, 1.0);
}

#section FRAGMENT_SHADER
uniform sampler2D u_frame;  // the working framebuffer: premultiplied, sRGB or linear light
uniform bool u_linear;
out vec4 out_color;

vec3 srgb_encode(vec3 linear) {
    vec3 c = clamp(linear, 0.0, 1.0);
    return mix(c * 12.92, 1.055 * pow(c, vec3(1.0 / 2.4)) - 0.055, step(vec3(0.0031308), c));
}

void main() {
    vec4 px = clamp(texelFetch(u_frame, ivec2(gl_FragCoord.xy), 0), 0.0, 1.0);
    vec3 straight = px.a > 0.0 ? px.rgb / px.a : vec3(0.0);
    out_color = vec4(u_linear ? srgb_encode(straight) : straight, px.a);
}
