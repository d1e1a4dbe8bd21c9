// The tiled compositor: one invocation per frame pixel, each work group a 16x16 tile. For its
// pixel it starts from the background and blends, in registers (32-bit float), every layer whose
// bounds touch the tile, in order, then writes the pixel once into the RGBA16F frame. Layers are
// the same quads as layer.glsl draws (premultiplied tint, source rectangle, 1:1 texel fetch,
// filtered sampling with the quad's own gradients, or a plain colour); blend formulas as in
// compositor/gl/renderer.py. Converts only the area u_area (a damaged rectangle).
#version 430 core

#section COMPUTE_SHADER
layout(local_size_x = 16, local_size_y = 16) in;
layout(rgba16f, binding = 0) writeonly uniform image2D u_frame;

struct Layer {
    vec4 inv_x;    // frame pixel (x, y, 1) -> unit square u: dot(inv_x.xyz, p)
    vec4 inv_y;    // ... and v
    vec4 uv;       // source rectangle u0, v0, u1, v1
    vec4 tint;     // premultiplied, opacity applied
    vec4 grad;     // d(uv)/dx (xy), d(uv)/dy (zw): the quad's own sampling gradients
    ivec4 bounds;  // x0, y0, x1, y1: the pixels it can touch (end-exclusive)
    ivec4 mode;    // kind (0 solid, 1 exact, 2 filtered), blend (0 normal, 1 add, 2 multiply,
                   // 3 screen), texture unit
};
layout(std430, binding = 1) readonly buffer Layers { Layer layers[]; };

// Sixteen samplers, not an array: llvmpipe crashes indexing a sampler array in a compute
// shader, so each layer's unit picks its sampler through a switch (the same case for every
// invocation at a given layer).
uniform sampler2D u_t0;
uniform sampler2D u_t1;
uniform sampler2D u_t2;
uniform sampler2D u_t3;
uniform sampler2D u_t4;
uniform sampler2D u_t5;
uniform sampler2D u_t6;
uniform sampler2D u_t7;
uniform sampler2D u_t8;
uniform sampler2D u_t9;
uniform sampler2D u_t10;
uniform sampler2D u_t11;
uniform sampler2D u_t12;
uniform sampler2D u_t13;
uniform sampler2D u_t14;
uniform sampler2D u_t15;
uniform int u_count;
uniform vec4 u_background;  // premultiplied
uniform ivec4 u_area;       // x0, y0, x1, y1 of this dispatch

vec4 fetch(int unit, vec2 at) {  // the texel under ``at``, 1:1 (no filtering)
    switch (unit) {
        case 0: return texelFetch(u_t0, ivec2(floor(at * vec2(textureSize(u_t0, 0)))), 0);
        case 1: return texelFetch(u_t1, ivec2(floor(at * vec2(textureSize(u_t1, 0)))), 0);
        case 2: return texelFetch(u_t2, ivec2(floor(at * vec2(textureSize(u_t2, 0)))), 0);
        case 3: return texelFetch(u_t3, ivec2(floor(at * vec2(textureSize(u_t3, 0)))), 0);
        case 4: return texelFetch(u_t4, ivec2(floor(at * vec2(textureSize(u_t4, 0)))), 0);
        case 5: return texelFetch(u_t5, ivec2(floor(at * vec2(textureSize(u_t5, 0)))), 0);
        case 6: return texelFetch(u_t6, ivec2(floor(at * vec2(textureSize(u_t6, 0)))), 0);
        case 7: return texelFetch(u_t7, ivec2(floor(at * vec2(textureSize(u_t7, 0)))), 0);
        case 8: return texelFetch(u_t8, ivec2(floor(at * vec2(textureSize(u_t8, 0)))), 0);
        case 9: return texelFetch(u_t9, ivec2(floor(at * vec2(textureSize(u_t9, 0)))), 0);
        case 10: return texelFetch(u_t10, ivec2(floor(at * vec2(textureSize(u_t10, 0)))), 0);
        case 11: return texelFetch(u_t11, ivec2(floor(at * vec2(textureSize(u_t11, 0)))), 0);
        case 12: return texelFetch(u_t12, ivec2(floor(at * vec2(textureSize(u_t12, 0)))), 0);
        case 13: return texelFetch(u_t13, ivec2(floor(at * vec2(textureSize(u_t13, 0)))), 0);
        case 14: return texelFetch(u_t14, ivec2(floor(at * vec2(textureSize(u_t14, 0)))), 0);
        case 15: return texelFetch(u_t15, ivec2(floor(at * vec2(textureSize(u_t15, 0)))), 0);
    }
    return vec4(0.0);
}

vec4 filtered(int unit, vec2 at, vec2 dx, vec2 dy) {  // trilinear with the quad's gradients
    switch (unit) {
        case 0: return textureGrad(u_t0, at, dx, dy);
        case 1: return textureGrad(u_t1, at, dx, dy);
        case 2: return textureGrad(u_t2, at, dx, dy);
        case 3: return textureGrad(u_t3, at, dx, dy);
        case 4: return textureGrad(u_t4, at, dx, dy);
        case 5: return textureGrad(u_t5, at, dx, dy);
        case 6: return textureGrad(u_t6, at, dx, dy);
        case 7: return textureGrad(u_t7, at, dx, dy);
        case 8: return textureGrad(u_t8, at, dx, dy);
        case 9: return textureGrad(u_t9, at, dx, dy);
        case 10: return textureGrad(u_t10, at, dx, dy);
        case 11: return textureGrad(u_t11, at, dx, dy);
        case 12: return textureGrad(u_t12, at, dx, dy);
        case 13: return textureGrad(u_t13, at, dx, dy);
        case 14: return textureGrad(u_t14, at, dx, dy);
        case 15: return textureGrad(u_t15, at, dx, dy);
    }
    return vec4(0.0);
}

vec4 blend(int mode, vec4 s, vec4 b) {
    if (mode == 1) {
        return s + b;
    }
    float alpha = s.a + b.a * (1.0 - s.a);
    if (mode == 2) {
        return vec4(s.rgb * b.rgb + s.rgb * (1.0 - b.a) + b.rgb * (1.0 - s.a), alpha);
    }
    if (mode == 3) {
        return vec4(s.rgb + b.rgb - s.rgb * b.rgb, alpha);
    }
    return s + b * (1.0 - s.a);
}

void main() {
    ivec2 tile0 = u_area.xy + ivec2(gl_WorkGroupID.xy) * 16;
    ivec2 tile1 = tile0 + 16;
    ivec2 p = u_area.xy + ivec2(gl_GlobalInvocationID.xy);
    bool inside = p.x < u_area.z && p.y < u_area.w;
    vec3 centre = vec3(vec2(p) + 0.5, 1.0);
    vec4 colour = u_background;
    for (int i = 0; i < u_count; ++i) {
        ivec4 b = layers[i].bounds;
        if (tile0.x >= b.z || tile0.y >= b.w || tile1.x <= b.x || tile1.y <= b.y) {
            continue;  // the whole tile misses this layer (the same for every invocation)
        }
        vec2 unit = vec2(dot(layers[i].inv_x.xyz, centre), dot(layers[i].inv_y.xyz, centre));
        if (!inside || any(lessThan(unit, vec2(0.0))) || any(greaterThanEqual(unit, vec2(1.0)))) {
            continue;
        }
        ivec4 mode = layers[i].mode;
        vec4 uv = layers[i].uv;
        vec2 at = mix(uv.xy, uv.zw, unit);
        vec4 texel = vec4(1.0);
        if (mode.x == 1) {
            texel = fetch(mode.z, at);
        } else if (mode.x == 2) {
            vec4 g = layers[i].grad;
            texel = filtered(mode.z, at, g.xy, g.zw);
        }
        colour = blend(mode.y, layers[i].tint * texel, colour);
    }
    if (inside) {
        imageStore(u_frame, p, colour);
    }
}
